import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, expect, it } from "vitest";
import { postGraphQL, RESEND_MUTATION } from "../support/graphql-client.js";
import { ACME, KEYS } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const resend = (url: string, invitationId: string) =>
  postGraphQL(
    url,
    { query: RESEND_MUTATION, variables: { input: { invitationId } } },
    {
      authorization: `Bearer ${KEYS.acmeAdmin}`,
    },
  );

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The value of one series, or undefined when it was never recorded. */
function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

it("counts operations by outcome on every channel, send refusals by limit, requests by route pattern", async () => {
  server = await startTestServer();
  await resend(server.url, "9001");
  await resend(server.url, "9001"); // within the cooldown
  const rest = await fetch(`${server.url}/tenant/${ACME.id}/admin/user/invitation/resend?id=9004`, {
    method: "PUT",
    headers: { "x-api-key": KEYS.acmeAdmin },
  });
  expect(rest.status).toBe(200);

  const text = await scrape(server.url);
  expect(
    value(
      text,
      'invitation_api_operations_total{operation="resendInvitation",outcome="ResendInvitationSuccess"}',
    ),
  ).toBe(2);
  expect(
    value(text, 'invitation_api_operations_total{operation="resendInvitation",outcome="ResendRateLimited"}'),
  ).toBe(1);
  expect(value(text, 'invitation_api_send_refusals_total{limit="cooldown"}')).toBe(1);
  expect(value(text, 'invitation_api_http_requests_total{route="/graphql",method="POST",status="200"}')).toBe(
    2,
  );
  expect(
    value(
      text,
      'invitation_api_http_requests_total{route="/tenant/:tenantId/admin/user/invitation/resend",method="PUT",status="200"}',
    ),
  ).toBe(1);
  expect(text).toMatch(
    /^invitation_api_http_request_duration_seconds_bucket\{le="0\.1",route="\/graphql"\} \d+$/m,
  );
  // Every request observed once, the second of a series as well as the first.
  expect(value(text, 'invitation_api_http_request_duration_seconds_count{route="/graphql"}')).toBe(2);
  expect(
    value(
      text,
      'invitation_api_http_request_duration_seconds_count{route="/tenant/:tenantId/admin/user/invitation/resend"}',
    ),
  ).toBe(1);
  // The worker may have delivered some already: the gauges are there, their values are the next test's.
  expect(text).toMatch(/^invitation_api_outbox_emails\{status="queued"\} \d+$/m);
  expect(text).toMatch(/^invitation_api_process_resident_memory_bytes \d+/m);
  // No tenant's data: no id, address, name or key in any label.
  const labelValues = [...text.matchAll(/\w+="([^"]*)"/g)].map((match) => match[1]!);
  expect(labelValues.length).toBeGreaterThan(10);
  for (const secret of [String(ACME.id), ACME.uuid, "9004", "bob@acme.test", "Acme", KEYS.acmeAdmin]) {
    expect(labelValues.filter((label) => label.includes(secret))).toEqual([]);
  }
  expect(text).not.toContain(KEYS.acmeAdmin);
});

it("counts deliveries by result once the worker has sent them", async () => {
  server = await startTestServer({ mail: { pollIntervalMs: 20 } });
  await resend(server.url, "9001");
  const deadline = Date.now() + 10_000;
  let text = await scrape(server.url);
  while (
    value(text, 'invitation_api_email_deliveries_total{result="sent"}') === undefined &&
    Date.now() < deadline
  ) {
    await sleep(50);
    text = await scrape(server.url);
  }
  expect(value(text, 'invitation_api_email_deliveries_total{result="sent"}')).toBe(1);
  expect(value(text, 'invitation_api_outbox_emails{status="queued"}')).toBe(0);
});

it("counts requests refused by the request rate limit", async () => {
  server = await startTestServer({ env: { RATE_LIMIT_PER_MINUTE: "2" } });
  for (let i = 0; i < 3; i++) {
    await postGraphQL(
      server.url,
      { query: "{ viewer { id } }" },
      { authorization: `Bearer ${KEYS.acmeAdmin}` },
    );
  }
  expect(value(await scrape(server.url), "invitation_api_request_rate_limited_total")).toBe(1);
});

it("is not served with METRICS=off", async () => {
  server = await startTestServer({ env: { METRICS: "off" } });
  expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
});
