// Times the first page of invitations (each filter) and of audit events for a tenant with 100 invitations
// and one with 200,000, in one database, through the service as GraphQL calls it.
//
//   node --import tsx bench/list-pages.ts                          # SQLite, in a temporary folder
//   DATABASE_URL=postgres://… node --import tsx bench/list-pages.ts  # an empty PostgreSQL database
//
// Reports the median of 50 calls per (tenant, query); the ratio big/small is what must stay near 1.
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createContainer } from "../src/container.js";
import { parseDatabaseUrl } from "../src/db/database-url.js";
import { openDatabase } from "../src/db/open-database.js";
import { loadFixture } from "../src/fixtures/load-fixture.js";
import { validateFixture, type Fixture } from "../src/fixtures/validate-fixture.js";
import type { CallContext } from "../src/invitations/invitation.service.js";
import { median } from "./report.js";

const SIZES = [100, 200_000];
const CALLS = 50;
const NOW = Date.parse("2026-06-01T00:00:00Z");

const dir = process.env.DATABASE_URL ? null : mkdtempSync(join(tmpdir(), "invitation-api-list-pages-"));
const database = openDatabase(parseDatabaseUrl(process.env.DATABASE_URL ?? join(dir!, "bench.db")));

try {
  await database.migrate();
  let nextId = 1;
  for (const [index, size] of SIZES.entries()) {
    const fixture = tenantOf(index + 1, size, nextId);
    nextId += size + 1;
    const validation = validateFixture(fixture);
    if (!validation.ok) throw new Error(JSON.stringify(validation.errors.slice(0, 3)));
    await loadFixture(database, validation.fixture, NOW);
    await database.query(
      `INSERT INTO audit_events (tenant_id, actor_user_id, action, outcome, created_at)
       SELECT tenant_id, NULL, 'invitation.resend', 'SUCCESS', ? FROM invitations WHERE tenant_id = ?`,
      [NOW, index + 1],
    );
  }
  if (database.dialect === "postgres") await database.query("ANALYZE");

  const { service } = createContainer({
    database,
    now: () => NOW,
    settings: {
      invitationTtlMs: 3_600_000,
      resendCooldownMs: 0,
      publicUrl: "http://localhost",
      emailCaps: { perTenantPerHour: 1, perRecipientPerDay: 1 },
    },
  });
  const queries: Record<string, (call: CallContext) => Promise<unknown>> = {
    "invitations(first: 20)": (call) => service.listInvitations(call, { first: 20 }),
    "invitations(status: PENDING)": (call) => service.listInvitations(call, { first: 20, status: "PENDING" }),
    "invitations(status: ACCEPTED)": (call) =>
      service.listInvitations(call, { first: 20, status: "ACCEPTED" }),
    "invitations(email: …)": (call) =>
      service.listInvitations(call, { first: 20, email: "invitee-50@t.test" }),
    "auditEvents(first: 20)": (call) => service.listAuditEvents(call, { first: 20 }),
    "invitations { totalCount }": async (call) => {
      const result = await service.listInvitations(call, { first: 20 });
      if (result.kind === "InvitationPage") await result.page.totalCount();
    },
  };
  console.log(`| query | ${SIZES.map((n) => `${n.toLocaleString("en")} invitations`).join(" | ")} | ratio |`);
  console.log(`| --- | ${SIZES.map(() => "---:").join(" | ")} | ---: |`);
  for (const [name, run] of Object.entries(queries)) {
    const medians: number[] = [];
    for (const index of SIZES.keys()) {
      const call: CallContext = {
        credentials: { apiKey: `bench-list-key-${index + 1}-000000000000000`, tenantClaims: [] },
        requestId: null,
      };
      for (let i = 0; i < 5; i++) await run(call); // warm-up
      const times: number[] = [];
      for (let i = 0; i < CALLS; i++) {
        const started = performance.now();
        await run(call);
        times.push(performance.now() - started);
      }
      medians.push(median(times));
    }
    const cells = medians.map((ms) => `${ms.toFixed(2)} ms`).join(" | ");
    console.log(`| ${name} | ${cells} | ${(medians.at(-1)! / medians[0]!).toFixed(2)} |`);
  }
} finally {
  await database.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Tenant `id`: an admin with a key, and `size` invitees with one invitation each, ids from `firstId`. */
function tenantOf(id: number, size: number, firstId: number): Fixture {
  const statuses = ["pending", "accepted", "revoked"] as const;
  return {
    tenants: [
      {
        id,
        name: `Tenant ${id}`,
        users: [
          {
            id: firstId,
            name: "Admin",
            email: "admin@t.test",
            role: "admin",
            emailVerified: true,
            apiKeys: [`bench-list-key-${id}-000000000000000`],
          },
          ...Array.from({ length: size }, (_, i) => ({
            id: firstId + 1 + i,
            name: `Invitee ${i}`,
            email: `invitee-${i}@t.test`,
          })),
        ],
        invitations: Array.from({ length: size }, (_, i) => ({
          id: firstId + i,
          userId: firstId + 1 + i,
          inviterId: firstId,
          status: statuses[i % 3]!,
          expiresAt: "2099-01-01T00:00:00Z",
        })),
      },
    ],
  } as Fixture;
}
