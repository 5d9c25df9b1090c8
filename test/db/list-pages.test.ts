import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shapeOf as auditShapeOf } from "../../src/db/repositories/audit.repository.js";
import {
  shapeOf as invitationShapeOf,
  type InvitationFilter,
} from "../../src/db/repositories/invitation-list.queries.js";
import type { Statement } from "../../src/db/statement.js";
import { loadFixture } from "../../src/fixtures/load-fixture.js";
import { validateFixture, type Fixture } from "../../src/fixtures/validate-fixture.js";
import { T0 } from "../support/harness.js";
import { createTempDatabase, type TempDatabase } from "../support/temp-db.js";

// A page must cost the same for a tenant with 200,000 invitations as for one with 100: every list query walks
// an index in page order and stops after the page, and nothing counts the whole table unless asked. Checked
// on the plans (SQLite) and on the rows each plan node actually read (PostgreSQL), over a tenant big enough
// for a full scan to show.

const TENANT = 7;
const INVITATIONS = 3000;
const PAGE = 20;
const DAY = 86_400_000;

let db: TempDatabase;
beforeAll(async () => {
  db = await createTempDatabase();
  const validation = validateFixture(bigTenant());
  if (!validation.ok) throw new Error(JSON.stringify(validation.errors.slice(0, 3)));
  await loadFixture(db.database, validation.fixture, T0);
  // Audit rows of two actions, as many as invitations.
  await db.database.query(
    `INSERT INTO audit_events (tenant_id, actor_user_id, action, outcome, created_at)
     SELECT tenant_id, 1, CASE WHEN id % 2 = 0 THEN 'invitation.resend' ELSE 'invitation.revoke' END, 'SUCCESS', ?
     FROM invitations WHERE tenant_id = ?`,
    [T0, TENANT],
  );
  if (db.location.dialect === "postgres") await db.database.query("ANALYZE");
}, 60_000);
afterAll(() => db.dispose());

/** Users 2..n+1, each with one invitation; statuses and expiries mixed so every filter finds rows early. */
function bigTenant(): Fixture {
  const statuses = ["pending", "accepted", "revoked"] as const;
  return {
    tenants: [
      {
        id: TENANT,
        name: "Big",
        users: [
          { id: 1, name: "Admin", email: "admin@big.test", role: "admin" },
          ...Array.from({ length: INVITATIONS }, (_, i) => ({
            id: i + 2,
            name: `Invitee ${i}`,
            email: `invitee-${i}@big.test`,
          })),
        ],
        invitations: Array.from({ length: INVITATIONS }, (_, i) => ({
          id: i + 1,
          userId: i + 2,
          inviterId: 1,
          status: statuses[i % 3]!,
          createdAt: new Date(T0 - DAY).toISOString(),
          // Every fourth pending one has expired.
          expiresAt: new Date(i % 4 === 0 ? T0 - 1000 : T0 + DAY).toISOString(),
        })),
      },
    ],
  } as Fixture;
}

const FILTERS: { name: string; filter: InvitationFilter }[] = [
  { name: "all", filter: { tenantId: TENANT, status: null, email: null, now: T0 } },
  ...(["PENDING", "EXPIRED", "ACCEPTED", "REVOKED"] as const).map((status) => ({
    name: status,
    filter: { tenantId: TENANT, status, email: null, now: T0 },
  })),
  { name: "email", filter: { tenantId: TENANT, status: null, email: "invitee-1500@big.test", now: T0 } },
  {
    name: "email + PENDING",
    filter: { tenantId: TENANT, status: "PENDING", email: "invitee-1500@big.test", now: T0 },
  },
];

describe("a page of invitations", () => {
  for (const { name, filter } of FILTERS) {
    for (const afterCursor of [false, true]) {
      it(`(${name}${afterCursor ? ", after a cursor" : ""}) reads only about a page`, async () => {
        const statement = invitationShapeOf(filter, afterCursor).page;
        await expectBoundedWalk(
          statement,
          { ...filter, beforeId: INVITATIONS - 100, limit: PAGE + 1 },
          "invitations",
        );
      });
    }
  }
});

describe("a page of audit events", () => {
  for (const action of [null, "invitation.resend"]) {
    for (const afterCursor of [false, true]) {
      it(`(${action ?? "all"}${afterCursor ? ", after a cursor" : ""}) reads only about a page`, async () => {
        const statement = auditShapeOf({ tenantId: TENANT, action }, afterCursor).page;
        const values = { tenantId: TENANT, action, beforeId: INVITATIONS - 100, limit: PAGE + 1 };
        await expectBoundedWalk(statement, values, "audit_events");
      });
    }
  }
});

async function expectBoundedWalk(
  statement: Statement<unknown>,
  values: Record<string, unknown>,
  table: string,
): Promise<void> {
  const { dialect } = db.location;
  const { text } = statement.compile(dialect);
  const params = statement.values(dialect, values);
  if (dialect === "sqlite") {
    const plan = (await db.database.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${text}`, params)).map(
      (row) => row.detail,
    );
    // A walk of the table itself, or a sort of everything that matched, would grow with the table.
    expect(plan.filter((step) => new RegExp(`^SCAN ${table}\\b`).test(step))).toEqual([]);
    if (!/email = /.test(text)) expect(plan.join("\n")).not.toContain("TEMP B-TREE");
    // By address: the user first, then only that user's invitations (sorting those few is fine).
    else
      expect(plan.join("\n")).toMatch(/SEARCH users[^\n]*\n[^\n]*SEARCH invitations USING [^\n]*user_id=\?/);
    return;
  }
  const [row] = await db.database.query<{ "QUERY PLAN": PlanNode[] }>(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${text.replace(/\$(\d+)/g, "?")}`,
    params,
  );
  const read = rowsReadFrom(row!["QUERY PLAN"][0]!.Plan, table);
  // A page, the row that tells whether there is another, and the few rows a filter skips on the way.
  expect(read).toBeLessThanOrEqual(4 * (PAGE + 1));
}

interface PlanNode {
  readonly Plan: PlanStep;
}
interface PlanStep {
  readonly "Relation Name"?: string;
  readonly "Actual Rows": number;
  readonly "Actual Loops": number;
  readonly "Rows Removed by Filter"?: number;
  readonly Plans?: readonly PlanStep[];
}

/** Rows the plan's scans of `table` produced or filtered away, over all loops. */
function rowsReadFrom(step: PlanStep, table: string): number {
  const own =
    step["Relation Name"] === table
      ? (step["Actual Rows"] + (step["Rows Removed by Filter"] ?? 0)) * step["Actual Loops"]
      : 0;
  return own + (step.Plans ?? []).reduce((sum, child) => sum + rowsReadFrom(child, table), 0);
}
