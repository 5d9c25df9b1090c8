// What the asynchronous data layer's mechanics cost on SQLite, apart from the SQL: the same indexed read run
// on the raw better-sqlite3 connection and through the store (`Database.get`, an awaited promise through the
// transaction queue), an empty transaction run raw (`BEGIN IMMEDIATE … COMMIT`) and through `Store.transaction`
// (queue, session, repositories), and a transaction of ten such reads run raw and through `Database.transaction`
// (every read awaited). Nothing is written, so COMMIT costs no page writes and what remains is the layer. Raw and store alternate within each round; ratios are per round.
//
//   node --import tsx bench/store-overhead.ts [--rounds 5] [--iterations 100000]
import "reflect-metadata";
import { sql } from "drizzle-orm";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openDatabase } from "../src/db/open-database.js";
import { SqliteDatabase } from "../src/db/sqlite/sqlite-database.js";
import { p, statement } from "../src/db/statement.js";
import { Store } from "../src/db/store.js";
import { median } from "./report.js";
import { BENCH_TENANT_ID, seedBenchDatabase } from "./seed.js";

const { values } = parseArgs({
  options: { rounds: { type: "string", default: "5" }, iterations: { type: "string", default: "100000" } },
});
const rounds = Number(values.rounds);
const iterations = Number(values.iterations);
if (!(rounds > 0) || !(iterations > 0)) throw new Error("--rounds and --iterations must be positive numbers");

const dir = mkdtempSync(join(tmpdir(), "invitation-bench-overhead-"));
try {
  const file = join(dir, "bench.db");
  await seedBenchDatabase({ dialect: "sqlite", file }, 1000);
  const database = openDatabase({ dialect: "sqlite", file });
  if (!(database instanceof SqliteDatabase)) throw new Error("not SQLite");
  const store = new Store(database);
  const { sqlite } = database;

  const layered = statement<{ hit: number }>(
    "bench_overhead_read",
    sql`SELECT 1 AS "hit" FROM tenants WHERE id = ${p("id")}`,
  );
  const raw = sqlite.prepare(`SELECT 1 AS "hit" FROM tenants WHERE id = ?`);
  const begin = sqlite.prepare("BEGIN IMMEDIATE");
  const commit = sqlite.prepare("COMMIT");
  const tenant = { id: BENCH_TENANT_ID };

  const ways: Record<string, () => Promise<unknown>> = {
    "read, raw": async () => raw.get(BENCH_TENANT_ID),
    "read, store": () => database.get(layered, tenant),
    "empty transaction, raw": async () => {
      begin.run();
      commit.run();
    },
    "empty transaction, store": () => store.transaction(async () => undefined),
    "transaction of 10 reads, raw": async () => {
      begin.run();
      for (let i = 0; i < 10; i++) raw.get(BENCH_TENANT_ID);
      commit.run();
    },
    "transaction of 10 reads, store": () =>
      database.transaction(async (tx) => {
        for (let i = 0; i < 10; i++) await tx.get(layered, tenant);
      }),
  };

  const time = async (way: () => Promise<unknown>) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await way();
    return Number(process.hrtime.bigint() - started) / 1000 / iterations;
  };
  const results = new Map<string, number[]>(Object.keys(ways).map((name) => [name, []]));
  for (const way of Object.values(ways)) await time(way); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const [name, way] of Object.entries(ways)) results.get(name)!.push(await time(way));
  }
  console.log(`| way | µs (median of ${rounds} rounds of ${iterations}) | store − raw, same round (µs) |`);
  console.log("| --- | ---: | ---: |");
  for (const [name, xs] of results) {
    const rawName = name.replace(", store", ", raw");
    const extra = name.endsWith(", store")
      ? median(xs.map((x, i) => x - results.get(rawName)![i]!)).toFixed(2)
      : "";
    console.log(`| ${name} | ${median(xs).toFixed(2)} | ${extra} |`);
  }
  await database.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
