import autocannon from "autocannon";
import type { Target } from "./targets.js";

/** One interval of load on one target. */
export interface Interval {
  readonly succeeded: number;
  readonly seconds: number;
  /** Milliseconds, one per response. */
  readonly latencies: number[];
  /** Every response that was not a success, plus connection errors and timeouts. */
  readonly failures: Failure[];
}

export interface Failure {
  readonly status: number | null;
  readonly body: string;
}

/** Keeps the first few failing bodies for the report; counts all of them. */
const KEPT_FAILURE_BODIES = 5;

/** Drives `target` with `connections` keep-alive connections for `seconds`, each request a new invitation. */
export async function runInterval(target: Target, connections: number, seconds: number): Promise<Interval> {
  const latencies: number[] = [];
  const failures: Failure[] = [];
  let succeeded = 0;
  const instance = autocannon({
    url: target.url,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        setupRequest: (request) => ({ ...request, ...target.request(target.ids.next()) }),
        onResponse: (status, body) => {
          if (target.isSuccess(status, body)) succeeded++;
          else
            failures.push({ status, body: failures.length < KEPT_FAILURE_BODIES ? body.slice(0, 500) : "" });
        },
      },
    ],
  });
  instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
  });
  const result = await instance;
  for (let i = 0; i < result.errors; i++)
    failures.push({ status: null, body: "connection error or timeout" });
  return { succeeded, seconds: result.duration, latencies, failures };
}

/** The q-quantile (0..1) of unsorted samples, nearest rank. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}
