import autocannon from "autocannon";
import { cpuSeconds } from "./cpu-time.js";
import type { Target } from "./targets.js";

/** One interval of load on one target. */
export interface Interval {
  readonly succeeded: number;
  readonly seconds: number;
  /** Milliseconds, one per response. */
  readonly latencies: number[];
  /** Every response that was not a success, plus connection errors and timeouts. */
  readonly failures: Failure[];
  /** CPU seconds the target's own processes used meanwhile (bench/cpu-time.ts). */
  readonly cpuSeconds: number;
}

export interface Failure {
  readonly status: number | null;
  readonly body: string;
}

/** Keeps the first few failing bodies for the report; counts all of them. */
const KEPT_FAILURE_BODIES = 5;

/**
 * Drives `target` with `connections` keep-alive connections for `seconds`, each request a new invitation.
 * A target with several instances gets one autocannon per instance, all started together, the connections
 * split between them as evenly as they divide (16 over 3: 6, 5, 5), every request drawing its invitation from
 * the target's one sequence: req/s is the sum, and the latencies are every response's, merged.
 */
export async function runInterval(
  target: Target,
  connections: number,
  seconds: number,
  pids: readonly number[],
): Promise<Interval> {
  const { urls } = target;
  const cpuBefore = cpuSeconds(pids);
  if (connections < urls.length) throw new Error(`${connections} connections for ${urls.length} instances`);
  const latencies: number[] = [];
  const failures: Failure[] = [];
  let succeeded = 0;
  const instances = urls.map((url, i) => {
    const instance = autocannon({
      url,
      connections: Math.floor(connections / urls.length) + (i < connections % urls.length ? 1 : 0),
      duration: seconds,
      timeout: 10,
      requests: [
        {
          setupRequest: (request) => ({ ...request, ...target.request(target.ids.next()) }),
          onResponse: (status, body) => {
            if (target.isSuccess(status, body)) succeeded++;
            else
              failures.push({
                status,
                body: failures.length < KEPT_FAILURE_BODIES ? body.slice(0, 500) : "",
              });
          },
        },
      ],
    });
    instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
    });
    return instance;
  });
  const results = await Promise.all(instances);
  for (const result of results) {
    for (let i = 0; i < result.errors; i++)
      failures.push({ status: null, body: "connection error or timeout" });
  }
  // Started together, each for `seconds`: the longest is the interval's length.
  const duration = Math.max(...results.map((r) => r.duration));
  return { succeeded, seconds: duration, latencies, failures, cpuSeconds: cpuSeconds(pids) - cpuBefore };
}

/**
 * Sends `count` resends through `target`, `concurrency` at a time (instances in turn), and throws on any that
 * did not succeed: for counting what a known number of resends costs the database.
 */
export async function sendResends(target: Target, count: number, concurrency: number): Promise<void> {
  let sent = 0;
  const worker = async (lane: number) => {
    const base = target.urls[lane % target.urls.length]!;
    while (sent < count) {
      sent++;
      const request = target.request(target.ids.next());
      const response = await fetch(base + (request.path ?? "/"), {
        method: request.method ?? "GET",
        headers: request.headers ?? {},
        body: request.body ?? null,
      });
      const body = await response.text();
      if (!target.isSuccess(response.status, body))
        throw new Error(`${target.name}: resend failed (${response.status}): ${body.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, lane) => worker(lane)));
}

/** The q-quantile (0..1) of unsorted samples, nearest rank. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}
