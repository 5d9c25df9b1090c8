import { afterAll, beforeAll, expect, it } from "vitest";
import { KEYS } from "../support/harness.js";
import { postGraphQL } from "../support/graphql-client.js";
import { startTestServer, type TestServer } from "../support/server.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const acceptForm = (token: string) =>
  fetch(`${s.url}/invitations/accept`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }).toString(),
  });

it("serves the emailed link as a confirmation page that changes nothing, then accepts on confirm", async () => {
  await postGraphQL(
    s.url,
    { query: `mutation { resendInvitation(input: { invitationId: "9001" }) { __typename } }` },
    { authorization: `Bearer ${KEYS.acmeAdmin}` },
  );
  const token = s.tokens.at(-1)!;

  // A link scanner's GET (twice) must not spend the token.
  for (let i = 0; i < 2; i++) {
    const page = await fetch(`${s.url}/invitations/accept?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await page.text()).toContain('<form method="post" action="/invitations/accept">');
  }

  const accepted = await acceptForm(token);
  expect(accepted.status).toBe(200);
  expect(await accepted.text()).toContain("Welcome to Acme Procurement, Bob Pending");

  const again = await acceptForm(token);
  expect(again.status).toBe(404);
  expect(await again.text()).toContain("not valid");
});

it("escapes whatever arrives in the token", async () => {
  const page = await fetch(
    `${s.url}/invitations/accept?token=${encodeURIComponent('"><script>alert(1)</script>')}`,
  );
  const html = await page.text();
  expect(html).not.toContain("<script>");
  expect(html).toContain("&quot;&gt;&lt;script&gt;");
});

it("answers a link without a token with a clear page", async () => {
  const page = await fetch(`${s.url}/invitations/accept`);
  expect(page.status).toBe(400);
  expect(await page.text()).toContain("no invitation token");
});

it("keeps every answer of the token-bearing page out of frames, referrers, caches and MIME sniffing", async () => {
  const answers = [
    await fetch(`${s.url}/invitations/accept?token=some-token-0123456789`),
    await fetch(`${s.url}/invitations/accept`),
    await acceptForm("not-a-valid-token"),
    await fetch(`${s.url}/invitations/accept`, {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: "<token>x</token>",
    }),
  ];
  expect(answers.map((answer) => answer.status)).toEqual([200, 400, 404, 415]);
  for (const answer of answers) {
    expect(answer.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(answer.headers.get("x-frame-options")).toBe("DENY");
    expect(answer.headers.get("referrer-policy")).toBe("no-referrer");
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
  }
});
