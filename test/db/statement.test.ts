import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nester, p, statement } from "../../src/db/statement.js";
import { createTempDatabase, type TempDatabase } from "../support/temp-db.js";

// The statement layer's own pieces, run on the test project's real database: parameters filled from a values
// object (found once per statement), `contains` (exact substring, the same on both dialects) and `nester`.

let db: TempDatabase;
beforeAll(async () => {
  db = await createTempDatabase();
});
afterAll(() => db.dispose());

const echo = statement<{ a: unknown; b: unknown; c: unknown }>(
  "test_statement_echo",
  sql`SELECT ${p("a")} AS "a", ${p("b")} AS "b", ${p("a")} AS "c"`,
);
const constantAndPlaceholder = statement<{ k: unknown; v: unknown }>(
  "test_statement_constant",
  sql`SELECT ${"fixed"} AS "k", ${p("v")} AS "v"`,
);
const contains = statement<{ hit: number }>(
  "test_statement_contains",
  (d) => sql`SELECT 1 AS "hit" WHERE ${d.contains(p("haystack"), p("needle"))}`,
);

describe("parameters", () => {
  it("fills each placeholder by name, as often as the text uses it, every run anew", async () => {
    expect(await db.database.get(echo, { a: "x", b: "y" })).toEqual({ a: "x", b: "y", c: "x" });
    expect(await db.database.get(echo, { a: "z", b: "w" })).toEqual({ a: "z", b: "w", c: "z" });
  });

  it("keeps values written into the SQL as they are, next to placeholders", async () => {
    expect(await db.database.get(constantAndPlaceholder, { v: "given" })).toEqual({ k: "fixed", v: "given" });
  });

  it("refuses a run without a value for a placeholder, naming it", async () => {
    await expect(db.database.get(echo, { a: "x" })).rejects.toThrow('No value for placeholder "b"');
  });
});

describe("contains", () => {
  const hit = async (haystack: string, needle: string) =>
    (await db.database.get(contains, { haystack, needle })) !== undefined;

  it("finds an exact substring anywhere", async () => {
    expect(await hit(",invitation.created,invitation.resent,", ",invitation.resent,")).toBe(true);
    expect(await hit(",invitation.resent,", ",invitation.resent,")).toBe(true);
  });

  it("treats LIKE's wildcards as plain characters and compares case", async () => {
    expect(await hit(",invitation.resent,", ",invitation.resen_,")).toBe(false);
    expect(await hit(",invitation.resent,", ",%,")).toBe(false);
    expect(await hit(",invitation.resent,", ",INVITATION.RESENT,")).toBe(false);
    expect(await hit(",invitation.resent,", ",invitation.revoked,")).toBe(false);
  });
});

describe("nester", () => {
  it("groups aliased columns by their prefix, for every row of the statement", () => {
    const nest = nester();
    expect(nest({ "user.id": 1, "user.name": "Ada", "tenant.id": 2 })).toEqual({
      user: { id: 1, name: "Ada" },
      tenant: { id: 2 },
    });
    expect(nest({ "user.id": 3, "user.name": null, "tenant.id": 4 })).toEqual({
      user: { id: 3, name: null },
      tenant: { id: 4 },
    });
  });

  it("keeps everything after the first dot as the key", () => {
    expect(nester()({ "a.b.c": 1 })).toEqual({ a: { "b.c": 1 } });
  });

  it("leaves an alias without a dot at the top", () => {
    expect(nester()({ id: 7, "user.id": 1, createdAt: 5 })).toEqual({ id: 7, user: { id: 1 }, createdAt: 5 });
  });
});
