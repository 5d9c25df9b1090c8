import type { TargetName } from "./targets.js";

/** The middle value (the upper one of an even count): what the in-process benches report per way. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error("median of nothing");
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/** What one target did over all measured rounds of one database size. */
export interface TargetFigures {
  readonly name: TargetName;
  readonly label: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** CPU time of the target's processes per successful request, in µs. */
  readonly cpuMicrosPerRequest: number;
}

export interface SizeRun {
  readonly invitations: number;
  readonly seedSeconds: number;
  readonly serverRssAtStartMiB: number;
  readonly serverRssMiB: number;
  readonly floorRssMiB: number;
  readonly targets: readonly TargetFigures[];
}

export interface Verdict {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

function figuresOf(run: SizeRun, name: TargetName): TargetFigures | undefined {
  return run.targets.find((t) => t.name === name);
}

/** The results table, one row per size and target, with the ratios to the floor of the same run. */
export function resultsTable(runs: readonly SizeRun[]): string {
  const lines = [
    "| invitations | target | req/s | × floor | p50 ms | p99 ms | p99 × floor | requests | CPU µs/req | × floor (CPU) |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const run of runs) {
    const floor = figuresOf(run, "floor");
    for (const t of run.targets) {
      lines.push(
        `| ${run.invitations.toLocaleString("en-US")} | ${t.label} | ${fixed(t.requestsPerSecond, 0)} | ` +
          `${floor ? fixed(t.requestsPerSecond / floor.requestsPerSecond, 2) : "n/a"} | ${fixed(t.p50Ms, 1)} | ` +
          `${fixed(t.p99Ms, 1)} | ${floor ? fixed(t.p99Ms / floor.p99Ms, 2) : "n/a"} | ${t.requests} | ` +
          `${fixed(t.cpuMicrosPerRequest, 0)} | ` +
          `${floor ? fixed(floor.cpuMicrosPerRequest / t.cpuMicrosPerRequest, 2) : "n/a"} |`,
      );
    }
  }
  return lines.join("\n");
}

/** The targets, each checked against this run's own floor. */
export function verdicts(runs: readonly SizeRun[]): Verdict[] {
  const out: Verdict[] = [];
  const ratio = (run: SizeRun, name: TargetName, minimum: number, what: string) => {
    const floor = figuresOf(run, "floor");
    const target = figuresOf(run, name);
    if (!floor || !target) return;
    const value = target.requestsPerSecond / floor.requestsPerSecond;
    out.push({
      target: `${what} ≥ ${minimum} × floor req/s (${size(run)})`,
      measured: fixed(value, 2),
      met: value >= minimum,
    });
  };
  const tail = (run: SizeRun, name: TargetName, what: string) => {
    const floor = figuresOf(run, "floor");
    const target = figuresOf(run, name);
    if (!floor || !target) return;
    const value = target.p99Ms / floor.p99Ms;
    out.push({
      target: `${what} p99 ≤ 2 × floor p99 (${size(run)})`,
      measured: fixed(value, 2),
      met: value <= 2,
    });
  };
  for (const run of runs) {
    ratio(run, "graphql", 0.5, "GraphQL");
    ratio(run, "rest", 0.85, "REST 002");
    tail(run, "graphql", "GraphQL");
    tail(run, "rest", "REST 002");
    out.push({
      target: `server RSS after the runs < 250 MB (${size(run)})`,
      measured: `${fixed(run.serverRssMiB, 0)} MiB`,
      met: run.serverRssMiB < 250,
    });
  }
  const smallest = runs[0];
  const largest = runs.at(-1);
  if (smallest && largest && largest !== smallest) {
    for (const name of ["graphql", "rest", "floor"] as const) {
      const before = figuresOf(smallest, name);
      const after = figuresOf(largest, name);
      if (!before || !after) continue;
      const value = after.requestsPerSecond / before.requestsPerSecond;
      out.push({
        target: `${after.label}: req/s at ${size(largest)} ≥ 0.85 × at ${size(smallest)}`,
        measured: fixed(value, 2),
        met: value >= 0.85,
      });
    }
  }
  for (const run of runs) {
    if (run.invitations >= 1_000_000) {
      out.push({
        target: `seeding ${size(run)} invitations < 60 s`,
        measured: `${fixed(run.seedSeconds, 1)} s`,
        met: run.seedSeconds < 60,
      });
    }
  }
  return out;
}

export function verdictTable(list: readonly Verdict[]): string {
  return [
    "| target | measured | met |",
    "| --- | ---: | :---: |",
    ...list.map((v) => `| ${v.target} | ${v.measured} | ${v.met ? "yes" : "**NO**"} |`),
  ].join("\n");
}

function size(run: SizeRun): string {
  return run.invitations.toLocaleString("en-US");
}

/** What a known number of resends through one target cost its PostgreSQL database. */
export interface RoundTrips {
  readonly invitations: number;
  readonly label: string;
  readonly resends: number;
  /** Top-level statements executed per resend (BEGIN and COMMIT included): round trips. */
  readonly statements: number;
  /** Transactions committed or rolled back per resend (autocommit statements count one each). */
  readonly transactions: number;
  readonly breakdown: readonly StatementStatLike[];
}

interface StatementStatLike {
  readonly query: string;
  readonly calls: number;
  readonly totalMs: number;
  readonly meanMs: number;
}

export function roundTripTable(list: readonly RoundTrips[]): string {
  return [
    "| invitations | target | resends | statements (round trips) per resend | transactions per resend |",
    "| ---: | --- | ---: | ---: | ---: |",
    ...list.map(
      (r) =>
        `| ${r.invitations.toLocaleString("en-US")} | ${r.label} | ${r.resends} | ${fixed(r.statements, 2)} | ` +
        `${fixed(r.transactions, 2)} |`,
    ),
  ].join("\n");
}

/**
 * Statements as pg_stat_statements normalised them, shortened to one line; with `perResends`, calls are shown
 * per resend, otherwise as counted.
 */
export function statementTable(stats: readonly StatementStatLike[], perResends: number | null): string {
  const shorten = (query: string) => {
    const line = query
      .replace(/\s+/g, " ")
      .trim()
      // A long column list says less than the table and the condition.
      .replace(/^select (.{40,}?) from /i, "SELECT … FROM ")
      .replaceAll("|", "\\|");
    return "`" + (line.length > 110 ? line.slice(0, 107) + "..." : line) + "`";
  };
  return [
    `| statement | ${perResends === null ? "calls" : "calls per resend"} | mean ms | total ms |`,
    "| --- | ---: | ---: | ---: |",
    ...stats.map(
      (s) =>
        `| ${shorten(s.query)} | ${perResends === null ? s.calls : fixed(s.calls / perResends, 3)} | ` +
        `${fixed(s.meanMs, 3)} | ${fixed(s.totalMs, 0)} |`,
    ),
  ].join("\n");
}
