import fc from "fast-check";
import { request } from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ACME, GLOBEX, KEYS } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { rowCounts } from "./support/db-counts.js";
import { headerSafe, hostileJson, hostileString, SEED, wellFormed } from "./support/hostile.js";
import { expectCleanAnswer, withoutAudit } from "./support/properties.js";

const USER_IDS = ["2", "3", "4", "5", "7", "8", "21", "1"];
const USER_UUIDS = [2, 3, 4, 5, 7, 8].map((n) => `0b6f1c2e-5a1d-4c39-9a57-0c1f4a7c000${n}`);
const INVITATION_IDS = ["9001", "9002", "9003", "9004", "9100"];
const TENANTS = [String(ACME.id), ACME.uuid, String(GLOBEX.id), GLOBEX.uuid];

const plausibleOr = (plausible: readonly string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...plausible) },
    { weight: 5, arbitrary: hostileString() },
  );

/**
 * A path segment as a client might send it: percent-encoded, or raw (printable ASCII only, as HTTP allows;
 * a raw `/` or `%zz` tests the router and the decoder).
 */
const segment = (plausible: readonly string[]) =>
  fc
    .tuple(plausibleOr(plausible), fc.boolean())
    .map(([value, encode]) =>
      encode ? encodeURIComponent(wellFormed(value)) : value.replace(/[^\x21-\x7e]/g, "") || "x",
    );

/** The query string of the tenant path: a proper `id`, none, repeated, bracketed, or any other bytes. */
const invitationQuery = fc.oneof(
  { weight: 4, arbitrary: segment(INVITATION_IDS).map((id) => `?id=${id}`) },
  { weight: 1, arbitrary: fc.constant("") },
  {
    weight: 1,
    arbitrary: fc.tuple(segment(INVITATION_IDS), segment(INVITATION_IDS)).map(([a, b]) => `?id=${a}&id=${b}`),
  },
  { weight: 1, arbitrary: segment(INVITATION_IDS).map((id) => `?id[]=${id}&id[__proto__]=1`) },
  { weight: 1, arbitrary: segment(["id=9001"]).map((raw) => `?${raw}`) },
);

const path = fc.oneof(
  segment(USER_IDS).map((id) => ({ method: "POST", path: `/api/v1/users/${id}/resend_invitation` })),
  segment(USER_UUIDS).map((id) => ({ method: "POST", path: `/v1/users/${id}/resend-invite` })),
  fc
    .tuple(
      segment(TENANTS),
      invitationQuery,
      fc.constantFrom("/tenant/{t}/admin/user/invitation", "/api/tenant/{t}/invitations"),
    )
    .map(([tenant, query, prefix]) => ({
      method: "PUT",
      path: `${prefix.replace("{t}", tenant)}/resend${query}`,
    })),
  segment(USER_UUIDS).map((id) => ({
    method: "POST",
    path: `/public/v1/accounts/account-users/${id}/send-new-invite`,
  })),
);

const optionalHeader = (plausible: readonly string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 5, arbitrary: fc.constantFrom(...plausible) },
    { weight: 2, arbitrary: hostileString().map(headerSafe) },
  );

/** Mostly Acme's admin key in one of the two headers; sometimes other keys, both headers, or anything. */
const credential = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ "x-api-key": KEYS.acmeAdmin }) },
  { weight: 2, arbitrary: fc.constant({ authorization: `Bearer ${KEYS.acmeAdmin}` }) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        "x-api-key": optionalHeader([KEYS.acmeMember, KEYS.globexAdmin]),
        authorization: optionalHeader([`Bearer ${KEYS.acmeAdmin}`, "Bearer", "Basic YTpi"]),
      },
      { requiredKeys: [] },
    ),
  },
);

const headers = fc
  .tuple(
    credential,
    fc.record({
      "x-tenant-id": optionalHeader([ACME.uuid, ACME.uuid, String(ACME.id), GLOBEX.uuid]),
      "idempotency-key": optionalHeader(["retry-1", "retry-2"]),
    }),
  )
  .map(([credentials, others]) =>
    Object.fromEntries(
      Object.entries({ ...credentials, ...others }).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    ),
  );

/** No body, an empty or JSON one (the operations ignore it), or something else entirely. */
const body = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant("application/json"),
      text: hostileJson().map((v) => JSON.stringify(v) ?? "null"),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constantFrom(
        "application/json",
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
      ),
      text: hostileString(),
    }),
  },
);

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ env: { RATE_LIMIT_PER_MINUTE: "0" } });
});
afterAll(() => s.close());

/**
 * One request exactly as given (node:http sends the path without normalising it, unlike fetch), on a
 * connection of its own: after a 431 the server closes the connection, which a pooled next request would meet.
 */
function send(
  method: string,
  target: string,
  headers: Record<string, string>,
  payload?: { type: string; text: string },
): Promise<{ status: number; contentType: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${s.url}${target}`,
      { method, agent: false, headers: { ...headers, ...(payload ? { "content-type": payload.type } : {}) } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers["content-type"] ?? null,
            body: text,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload?.text);
  });
}

it(
  "answers random and hostile paths, queries, headers and bodies on the REST paths cleanly",
  { timeout: 120_000 },
  async () => {
    await fc.assert(
      fc.asyncProperty(path, headers, body, async (target, sentHeaders, payload) => {
        s.advance(61_000);
        const before = await rowCounts(s.server.database);
        const answer = await send(target.method, target.path, sentHeaders, payload);
        expectCleanAnswer(answer, [decodeOrKeep(target.path), sentHeaders, payload?.text ?? ""]);
        if (answer.status >= 300)
          expect(withoutAudit(await rowCounts(s.server.database))).toEqual(withoutAudit(before));
      }),
      { seed: SEED, numRuns: 250 },
    );
  },
);

/** The path's segments decoded where they decode, so that an echo of a decoded id is not taken for a leak. */
function decodeOrKeep(target: string): string[] {
  return target.split(/[/?&=]/).map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
}
