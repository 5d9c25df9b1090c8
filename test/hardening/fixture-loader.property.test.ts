import fc from "fast-check";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FixtureConflictError, loadFixture } from "../../src/fixtures/load-fixture.js";
import { validateFixture } from "../../src/fixtures/validate-fixture.js";
import { FIXTURE_PATH, loadTestFixture, T0 } from "../support/harness.js";
import { createTempDatabase, type TempDatabase } from "../support/temp-db.js";
import { rowCounts } from "./support/db-counts.js";
import { hostileJson, SEED } from "./support/hostile.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

/** The test fixture: valid, and already in the database, so loading it again conflicts on every row. */
const BASE = JSON.parse(readFileSync(FIXTURE_PATH, "utf8")) as Json;

/** Every path to a value inside `value`. */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  const children: [string | number, Json][] = Array.isArray(value)
    ? value.map((item, i) => [i, item])
    : value !== null && typeof value === "object"
      ? Object.entries(value)
      : [];
  return [prefix, ...children.flatMap(([key, child]) => pathsOf(child, [...prefix, key]))];
}
const PATHS = pathsOf(BASE).filter((path) => path.length > 0);

function at(value: Json, path: Path): Json | undefined {
  let current: Json | undefined = value;
  for (const key of path) current = (current as Record<string | number, Json> | undefined)?.[key];
  return current;
}

/** Sets (or, with `undefined`, deletes) the value at `path`; missing parents are skipped. */
function put(root: Json, path: Path, value: Json | undefined): void {
  const parent = at(root, path.slice(0, -1));
  if (parent === null || typeof parent !== "object") return;
  const key = path[path.length - 1]!;
  const container = parent as Record<string | number, Json>;
  if (value === undefined) {
    if (Array.isArray(parent) && typeof key === "number") parent.splice(key, 1);
    else delete container[key];
  } else {
    container[key] = value;
  }
}

/**
 * The test fixture made new: ids moved by `offset`, uuids, emails and API keys renamed, so that it loads
 * cleanly next to the original. References (`userId`, `inviterId`) move with the ids.
 */
function renamed(offset: number): Json {
  const text = JSON.stringify(BASE, (key, value: Json) => {
    if (["id", "userId", "inviterId"].includes(key) && typeof value === "number") return value + offset;
    if (key === "uuid" && typeof value === "string")
      return offset.toString(16).padStart(8, "0") + value.slice(8);
    if (key === "email" && typeof value === "string") return `${offset}.${value}`;
    return value;
  });
  return JSON.parse(text.replace(/"([a-z]+-[a-z]+-key-[0-9]+)"/g, `"$1-${offset}"`)) as Json;
}

interface Mutation {
  readonly path: Path;
  readonly action: "set" | "delete" | "copy";
  readonly value: Json;
  /** For `copy`: where the value comes from (another id, a list, …). */
  readonly from: Path;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.constantFrom(...PATHS),
  action: fc.constantFrom("set" as const, "delete" as const, "copy" as const),
  value: hostileJson() as fc.Arbitrary<Json>,
  from: fc.constantFrom(...PATHS),
});

function mutated(start: Json, mutations: readonly Mutation[]): Json {
  const fixture = structuredClone(start);
  for (const { path, action, value, from } of mutations) {
    if (action === "set") put(fixture, path, value);
    if (action === "delete") put(fixture, path, undefined);
    if (action === "copy") put(fixture, path, structuredClone(at(fixture, from) ?? null));
  }
  return fixture;
}

let db: TempDatabase;
beforeAll(async () => {
  db = await createTempDatabase();
  await loadTestFixture(db.database, T0);
});
afterAll(() => db.dispose());

it("validates any input without throwing, and loads a valid one whole or not at all", async () => {
  let fresh = 0;
  const candidate = fc.oneof(
    { weight: 1, arbitrary: hostileJson() },
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.boolean(), fc.array(mutation, { maxLength: 3 }))
        .map(([conflicting, mutations]) =>
          mutated(conflicting ? BASE : renamed(++fresh * 100_000), mutations),
        ),
    },
  );
  await fc.assert(
    fc.asyncProperty(candidate, async (fixture) => {
      const before = await rowCounts(db.database);
      const validation = validateFixture(fixture);
      if (!validation.ok) {
        expect(validation.errors.length).toBeGreaterThan(0);
        for (const error of validation.errors) {
          expect(error.path).toMatch(/^[^\n]+$/);
          expect(error.message).toMatch(/^[^\n]+$/);
        }
        return;
      }
      try {
        const loaded = await loadFixture(db.database, validation.fixture, T0);
        const after = await rowCounts(db.database);
        expect(after.tenants! - before.tenants!).toBe(loaded.tenants);
        expect(after.users! - before.users!).toBe(loaded.users);
        expect(after.api_keys! - before.api_keys!).toBe(loaded.apiKeys);
        expect(after.invitations! - before.invitations!).toBe(loaded.invitations);
      } catch (error) {
        // The only refusal a validated fixture may meet, and it leaves nothing behind.
        expect(error).toBeInstanceOf(FixtureConflictError);
        expect(await rowCounts(db.database)).toEqual(before);
      }
    }),
    { seed: SEED, numRuns: 300 },
  );
});
