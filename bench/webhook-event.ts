// What writing a resend's webhook event costs on SQLite, in process, for a tenant with no endpoint and for one
// with a subscribed endpoint: a transaction that only emits the event, against an empty transaction, rounds
// alternating (the difference within each round says more than either median alone).
//
//   node --import tsx bench/webhook-event.ts [--events 5000] [--rounds 10]
import "reflect-metadata";
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { openDatabase } from "../src/db/open-database.js";
import { Store } from "../src/db/store.js";
import { emitInvitationEvent } from "../src/webhooks/events.js";
import { BENCH_API_KEY, BENCH_TENANT_ID, seedBenchDatabase } from "./seed.js";

const { values } = parseArgs({
  options: { events: { type: "string", default: "5000" }, rounds: { type: "string", default: "10" } },
});
const events = Number(values.events);
const rounds = Number(values.rounds);

const dir = mkdtempSync(join(tmpdir(), "invitation-bench-webhook-event-"));
try {
  await seedBenchDatabase({ dialect: "sqlite", file: join(dir, "bench.db") }, 1000);
  const store = new Store(openDatabase({ dialect: "sqlite", file: join(dir, "bench.db") }));
  const owner = await store.findKeyOwner(createHash("sha256").update(BENCH_API_KEY).digest("hex"));
  if (!owner) throw new Error("no bench key");
  const details = await store.transaction(async (tx) => {
    const { invitation, invitee } = (await tx.invitations.findWithInviteeForUpdate(BENCH_TENANT_ID, {
      id: 1,
    }))!;
    return { invitation, invitee: invitee!, inviter: owner.user, tenant: owner.tenant };
  });
  const event = { type: "invitation.resent", details, actor: { type: "user", user: owner.user } } as const;

  const timed = async (emit: boolean): Promise<number> => {
    const started = performance.now();
    for (let i = 0; i < events; i++) {
      await store.transaction(async (tx) => {
        if (emit) await emitInvitationEvent(tx, event, randomUUID(), Date.now());
      });
    }
    return ((performance.now() - started) * 1000) / events;
  };
  const measure = async (): Promise<number[]> => {
    const differences: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const empty = await timed(false);
      differences.push((await timed(true)) - empty);
    }
    return differences;
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const report = (name: string, xs: number[]) =>
    console.log(`| ${name} | ${median(xs).toFixed(1)} | ${xs.map((x) => x.toFixed(1)).join(", ")} |`);

  await timed(true); // warm-up
  console.log(
    `| tenant | µs per event over an empty transaction (median of ${rounds} rounds of ${events}) | rounds |`,
  );
  console.log("| --- | ---: | --- |");
  report("no endpoint", await measure());
  await store.transaction((tx) =>
    tx.webhookEndpoints.insert({
      uuid: randomUUID(),
      tenantId: BENCH_TENANT_ID,
      url: "https://hooks.example/in",
      events: ",invitation.resent,",
      secretCiphertext: "sealed",
      now: Date.now(),
    }),
  );
  report("one subscribed endpoint", await measure());
  await store.database.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
