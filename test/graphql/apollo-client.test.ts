import { ApolloClient, gql, HttpLink, InMemoryCache } from "@apollo/client";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { format } from "node:util";
import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";
import { projectRoot } from "../../src/paths.js";
import { KEYS } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";

// What the README's "Clients" section promises, run with the real Apollo Client against the real server:
// its own `mutation Resend` and the committed possible-types.json.

/** The README's ```graphql block holding `mutation Resend(`, exactly as printed there. */
function readmeResendMutation(): string {
  const readme = readFileSync(join(projectRoot, "README.md"), "utf8");
  const block = [...readme.matchAll(/^```graphql\n([\s\S]*?)^```$/gm)]
    .map((match) => match[1]!)
    .find((text) => text.includes("mutation Resend("));
  if (block === undefined) throw new Error("README has no ```graphql block with mutation Resend(");
  return block;
}

const POSSIBLE_TYPES = JSON.parse(readFileSync(join(projectRoot, "possible-types.json"), "utf8")) as Record<
  string,
  string[]
>;

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());
afterEach(() => vi.restoreAllMocks());

/** Apollo Client's own warnings during `run` (it logs a fragment it cannot match, and goes on). */
async function warningsOf<T>(run: () => Promise<T>): Promise<{ value: T; warnings: string[] }> {
  const warnings: string[] = [];
  const keep = (...args: unknown[]) => void warnings.push(format(...args));
  vi.spyOn(console, "warn").mockImplementation(keep);
  vi.spyOn(console, "error").mockImplementation(keep);
  return { value: await run(), warnings };
}

function client(key: string, possibleTypes?: Record<string, string[]>) {
  return new ApolloClient({
    link: new HttpLink({ uri: `${s.url}/graphql`, headers: { authorization: `Bearer ${key}` } }),
    cache: new InMemoryCache(possibleTypes ? { possibleTypes } : {}),
  });
}

async function resend(key: string, possibleTypes?: Record<string, string[]>) {
  const result = await client(key, possibleTypes).mutate({
    mutation: gql(readmeResendMutation()),
    variables: { input: { invitationId: "9001" } },
  });
  expect(result.error).toBeUndefined();
  return (result.data as { resendInvitation: Record<string, unknown> }).resendInvitation;
}

it("reads code and message of a refusal through `... on UserError` with possible-types.json", async () => {
  const { value, warnings } = await warningsOf(() => resend(KEYS.acmeMember, POSSIBLE_TYPES));
  expect(value).toEqual({
    __typename: "PermissionDenied",
    code: "PERMISSION_DENIED",
    message: expect.stringMatching(/permission/i),
    notices: [expect.stringMatching(/admin/)],
  });
  expect(warnings).toEqual([]);
});

it("without possibleTypes, silently drops the UserError fragment's fields (why the file is committed)", async () => {
  const { value, warnings } = await warningsOf(() => resend(KEYS.acmeMember));
  // What the README says: the exact-type fragment survives, the interface's fields are gone.
  expect(value).toEqual({ __typename: "PermissionDenied", notices: [expect.stringMatching(/admin/)] });
  expect(warnings.join("\n")).toMatch(
    /Cannot match inline fragment on `UserError` against `PermissionDenied`.*possibleTypes/,
  );
});

it("reads a success with the same document and cache", async () => {
  expect(await resend(KEYS.acmeAdmin, POSSIBLE_TYPES)).toMatchObject({
    __typename: "ResendInvitationSuccess",
    sentTo: expect.any(String),
    invitation: { __typename: "Invitation", id: "9001", status: "PENDING", sendCount: expect.any(Number) },
  });
});

it("the README's exhaustive switch names every member of ResendInvitationResult, and nothing else", () => {
  const readme = readFileSync(join(projectRoot, "README.md"), "utf8");
  const block = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)]
    .map((match) => match[1]!)
    .find((text) => text.includes("switch (result.__typename)"));
  expect(block).toBeDefined();
  const cases = [...block!.matchAll(/^\s*case "(\w+)":/gm)].map((match) => match[1]!).sort();
  expect(cases).toEqual([...POSSIBLE_TYPES.ResendInvitationResult!].sort());
});
