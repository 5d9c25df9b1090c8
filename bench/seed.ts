import { performance } from "node:perf_hooks";
import type { DatabaseLocation } from "../src/db/database-url.js";
import { openDatabase } from "../src/db/open-database.js";
import { loadFixture } from "../src/fixtures/load-fixture.js";
import { validateFixture, type Fixture } from "../src/fixtures/validate-fixture.js";

/** The one tenant every benchmark request acts in, and its admin's key. */
export const BENCH_TENANT_ID = 1;
export const BENCH_API_KEY = "inv_benchmark-admin-key-0000000000000000000000";

/** Invitation `i` (1..n) invites user `i + 1`; user 1 is the admin. */
export function inviteeOf(invitationId: number): number {
  return invitationId + 1;
}

export interface SeedResult {
  /** Building, validating and loading the fixture, migrations included: what an operator would wait for. */
  readonly seconds: number;
  readonly invitations: number;
}

/**
 * One tenant, one admin with an API key, and `n` invitees each with a pending invitation that expires far in
 * the future, loaded through the project's own fixture validator and loader into `location` (a SQLite file,
 * or an empty PostgreSQL database), migrations included.
 */
export async function seedBenchDatabase(location: DatabaseLocation, n: number): Promise<SeedResult> {
  const started = performance.now();
  const validation = validateFixture(benchFixture(n));
  if (!validation.ok)
    throw new Error(`bench fixture invalid: ${JSON.stringify(validation.errors.slice(0, 3))}`);
  const database = openDatabase(location);
  try {
    await database.migrate();
    const summary = await loadFixture(database, validation.fixture, Date.now());
    if (summary.invitations !== n)
      throw new Error(`loaded ${summary.invitations} invitations, expected ${n}`);
  } finally {
    // SQLite: closing checkpoints the WAL into the file, so a plain copy of the file is a complete database.
    // PostgreSQL: no connection may stay open to a database that is then copied as a template.
    await database.close();
  }
  return { seconds: (performance.now() - started) / 1000, invitations: n };
}

function benchFixture(n: number): Fixture {
  const createdAt = "2026-01-01T00:00:00Z";
  const expiresAt = "2099-01-01T00:00:00Z";
  const users: NonNullable<Fixture["tenants"][number]["users"]> = [
    {
      id: 1,
      name: "Bench Admin",
      email: "admin@bench.test",
      role: "admin",
      emailVerified: true,
      apiKeys: [BENCH_API_KEY],
    },
  ];
  const invitations: NonNullable<Fixture["tenants"][number]["invitations"]> = [];
  for (let id = 1; id <= n; id++) {
    const userId = inviteeOf(id);
    users.push({ id: userId, name: `Invitee ${userId}`, email: `invitee-${userId}@bench.test` });
    invitations.push({ id, userId, inviterId: 1, createdAt, expiresAt, lastSentAt: null });
  }
  return { tenants: [{ id: BENCH_TENANT_ID, name: "Bench Tenant", users, invitations }] };
}
