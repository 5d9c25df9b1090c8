import { auditServer, type AuditResult } from "graphql-http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";

/**
 * SHOULD audits this server knowingly fails: Apollo answers parse, validation and variable-coercion failures
 * with 400 even to `Accept: application/json` clients (the spec's legacy watershed prefers 200 there); every
 * refusal being a 4xx is what our clients and the REST paths rely on.
 */
const KNOWN_SHOULD_FAILURES = ["572B", "FDE2", "7B9B"];

let s: TestServer;
let results: AuditResult[];
beforeAll(async () => {
  s = await startTestServer();
  results = await auditServer({ url: `${s.url}/graphql` });
});
afterAll(() => s.close());

const failed = (level: string) =>
  results.filter((r) => r.status !== "ok" && r.name.startsWith(`${level} `)).map((r) => `${r.id} ${r.name}`);

it("passes every MUST audit of the GraphQL-over-HTTP spec (graphql-http)", () => {
  expect(results.length).toBeGreaterThan(50);
  expect(failed("MUST")).toEqual([]);
});

it("fails only the known SHOULD audits", () => {
  expect(failed("SHOULD").map((line) => line.slice(0, 4))).toEqual(KNOWN_SHOULD_FAILURES);
});
