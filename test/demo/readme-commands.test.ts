import { afterAll, beforeAll, expect, it } from "vitest";
import { startupBanner } from "../../src/demo-banner.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { curlCommands, failuresIn, readme, README_URL, runCurl, shellBlocks } from "./readme-commands.js";

// A newcomer's first minutes: `npm start` on an empty database, then every curl the banner prints and every
// curl of the README, pasted one after the other. Each must succeed: none may meet another's cooldown.

let s: TestServer;
let key: string;
let banner: string;
beforeAll(async () => {
  s = await startTestServer({ demo: true });
  key = s.server.demo!.apiKey;
  banner = startupBanner(s.server, true);
});
afterAll(() => s.close());

it("the banner shows the key and how to hand it to the README's examples", () => {
  expect(banner).toContain(`Admin API key (shown once, stored only as a hash): ${key}`);
  expect(banner).toContain(`export KEY='${key}'`);
});

it("every curl of the banner, then of the README, succeeds in turn on a fresh demo start", async () => {
  const fromBanner = curlCommands(banner);
  const fromReadme = shellBlocks(readme()).flatMap(curlCommands);
  expect(fromBanner).toHaveLength(2);
  // The GraphQL example of "Using it", and each of the four documents' examples.
  expect(fromReadme.length).toBeGreaterThanOrEqual(5);
  for (const command of fromReadme) expect(command).toContain(README_URL);

  const commands = [...fromBanner, ...fromReadme.map((command) => command.replaceAll(README_URL, s.url))];
  for (const command of commands) {
    const { status, body } = await runCurl(command, key);
    expect({ command, status, failures: failuresIn(body) }).toEqual({
      command,
      status: expect.toSatisfy((code: number) => code >= 200 && code < 300),
      failures: [],
    });
  }
});

it("the README's invite → resend → revoke walk-through uses the ids the invite answered", async () => {
  const block = [...readme().matchAll(/^```graphql\n([\s\S]*?)^```$/gm)]
    .map((match) => match[1]!)
    .find((text) => text.includes("inviteUser("))!;
  const operations = block.split(/^(?=mutation|query)/m).filter((part) => /^(mutation|query)/.test(part));
  const named = (field: string) => operations.find((operation) => operation.includes(`${field}(`))!;
  const post = async (query: string) => {
    const response = await fetch(`${s.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query }),
    });
    return ((await response.json()) as { data: Record<string, Record<string, unknown>> }).data;
  };

  const invited = (await post(named("inviteUser"))).inviteUser as {
    __typename: string;
    invitation: { id: string; invitee: { id: string } };
  };
  expect(invited.__typename).toBe("InviteUserSuccess");
  const { id: invitationId, invitee } = invited.invitation;
  const resend = named("resendInvitation");
  expect(resend).toContain(`resendInvitation(input: { userId: "${invitee.id}" })`);
  expect(block).toContain(
    `"invitation": { "id": "${invitationId}", …, "invitee": { "id": "${invitee.id}" } }`,
  );
  const revoke = named("revokeInvitation");
  expect(revoke).toContain(`revokeInvitation(input: { invitationId: "${invitationId}" })`);

  // As the comment says: within the cooldown, then after it; then the revocation.
  expect((await post(resend)).resendInvitation).toMatchObject({ __typename: "ResendRateLimited" });
  s.advance(60_000);
  expect((await post(resend)).resendInvitation).toEqual({
    __typename: "ResendInvitationSuccess",
    sentTo: "new@acme.test",
  });
  expect((await post(revoke)).revokeInvitation).toEqual({ __typename: "RevokeInvitationSuccess" });
});
