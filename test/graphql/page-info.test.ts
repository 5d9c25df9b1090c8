import { expect, it } from "vitest";
import { useResolverHarness } from "../support/apollo.js";
import { KEYS } from "../support/harness.js";

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface Connection {
  edges: { cursor: string }[];
  pageInfo: PageInfo;
}

const PAGE = `edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;
const INVITATIONS = `query($first: Int, $after: String) { invitations(first: $first, after: $after) { ${PAGE} } }`;
const AUDIT = `query($first: Int, $after: String) { auditEvents(first: $first, after: $after) { ${PAGE} } }`;

const t = useResolverHarness();

async function page(document: string, field: string, first: number, after?: string): Promise<Connection> {
  const result = await t.run(document, { first, after }, KEYS.acmeAdmin);
  expect(result.errors).toBeUndefined();
  return result.data?.[field] as Connection;
}

/** Walks a whole connection two at a time, checking Relay's PageInfo on every page. */
async function walk(document: string, field: string, total: number): Promise<void> {
  const first = await page(document, field, 2);
  expect(first.pageInfo).toEqual({
    hasNextPage: true,
    hasPreviousPage: false,
    startCursor: first.edges[0]!.cursor,
    endCursor: first.edges[1]!.cursor,
  });
  const second = await page(document, field, 2, first.pageInfo.endCursor!);
  expect(second.pageInfo).toEqual({
    hasNextPage: total > 4,
    hasPreviousPage: true,
    startCursor: second.edges[0]!.cursor,
    endCursor: second.edges.at(-1)!.cursor,
  });
  expect(second.pageInfo.startCursor).not.toBe(first.pageInfo.endCursor);
  // Past the last item: an empty page still knows items came before it.
  const past = await page(document, field, 100, second.pageInfo.endCursor!);
  const rest = total - first.edges.length - second.edges.length;
  expect(past.edges).toHaveLength(rest);
  const beyond = rest === 0 ? past : await page(document, field, 1, past.pageInfo.endCursor!);
  expect(beyond.pageInfo).toEqual({
    hasNextPage: false,
    hasPreviousPage: true,
    startCursor: null,
    endCursor: null,
  });
}

it("gives invitations Relay's PageInfo: hasPreviousPage and startCursor on every page", async () => {
  await walk(INVITATIONS, "invitations", 4);
});

it("gives auditEvents the same PageInfo", async () => {
  for (const invitationId of ["9001", "9002", "9003", "9004", "9001"]) {
    await t.run(
      `mutation($id: ID!) { resendInvitation(input: { invitationId: $id }) { __typename } }`,
      { id: invitationId },
      KEYS.acmeAdmin,
    );
  }
  await walk(AUDIT, "auditEvents", 5);
});

it("answers one page holding everything with no page either side", async () => {
  const all = await page(INVITATIONS, "invitations", 100);
  expect(all.pageInfo).toEqual({
    hasNextPage: false,
    hasPreviousPage: false,
    startCursor: all.edges[0]!.cursor,
    endCursor: all.edges.at(-1)!.cursor,
  });
});
