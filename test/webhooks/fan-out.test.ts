import { afterEach, beforeEach, expect, it } from "vitest";
import { eventsColumn } from "../../src/db/repositories/webhook-endpoint.repository.js";
import { ACME, createHarness, GLOBEX, T0, type Harness } from "../support/harness.js";

// Which endpoints an event is queued for: the subscription test in SQL (webhook_deliveries_fan_out and its
// SQLite probe), on both dialects.

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ cooldownSeconds: 0 });
});
afterEach(async () => {
  await h.dispose();
});

async function endpoint(tenantId: number, events: string[], name: string): Promise<number> {
  const row = await h.container.store.webhookEndpoints.insert({
    uuid: `00000000-0000-4000-8000-${String(tenantId).padStart(4, "0")}${name.padStart(8, "0")}`,
    tenantId,
    url: `https://${name}.example.test/hook`,
    events: eventsColumn.write(events),
    secretCiphertext: "sealed",
    now: T0,
  });
  return row.id;
}

/** Queues one event in its own transaction; answers the endpoints it was queued for. */
async function fanOut(tenantId: number, eventType: string): Promise<number[]> {
  const eventId = `evt_${eventType}_${tenantId}_${Math.random()}`;
  const queued = await h.container.store.transaction((tx) =>
    tx.webhookDeliveries.enqueue({ tenantId, eventId, eventType, now: T0 }, () => "{}"),
  );
  const rows = await h.db.database.query<{ endpoint_id: number }>(
    `SELECT endpoint_id FROM webhook_deliveries WHERE event_id = '${eventId}' ORDER BY endpoint_id`,
  );
  expect(rows).toHaveLength(queued);
  return rows.map((row) => Number(row.endpoint_id));
}

it("queues an event for the tenant's endpoints subscribed to exactly its type", async () => {
  const created = await endpoint(ACME.id, ["invitation.created"], "1");
  const both = await endpoint(ACME.id, ["invitation.revoked", "invitation.created"], "2");
  const revoked = await endpoint(ACME.id, ["invitation.revoked"], "3");
  await endpoint(GLOBEX.id, ["invitation.created"], "4");

  expect(await fanOut(ACME.id, "invitation.created")).toEqual([created, both]);
  expect(await fanOut(ACME.id, "invitation.revoked")).toEqual([both, revoked]);
  // A prefix, a suffix, another case, or LIKE's wildcards match nothing.
  for (const near of [
    "invitation.create",
    "nvitation.created",
    "Invitation.Created",
    "invitation_created",
    "%",
  ]) {
    expect(await fanOut(ACME.id, near)).toEqual([]);
  }
  expect(await fanOut(ACME.id, "invitation.accepted")).toEqual([]);
});

it("queues nothing for a tenant without endpoints", async () => {
  await endpoint(ACME.id, ["invitation.created"], "1");
  expect(await fanOut(GLOBEX.id, "invitation.revoked")).toEqual([]);
});
