// Summarises a V8 .cpuprofile (from `npm run bench -- --profile DIR`): self time by function and by package,
// and inclusive time of the project's own functions.
//
// Usage: node --import tsx bench/profile-top.ts FILE.cpuprofile [--top 25]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  options: { top: { type: "string", default: "25" } },
  allowPositionals: true,
});
const file = positionals[0];
if (file === undefined) throw new Error("usage: profile-top.ts FILE.cpuprofile [--top N]");
const top = Number(values.top);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) =>
  selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000),
);
const totalMs = [...selfMs.values()].reduce((a, b) => a + b, 0);
const idleMs = [...selfMs]
  .filter(([id]) => byId.get(id)?.callFrame.functionName === "(idle)")
  .reduce((a, [, ms]) => a + ms, 0);
const busyMs = totalMs - idleMs;

function where(node: ProfileNode): string {
  const { url, lineNumber } = node.callFrame;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const own = /\/(dist\/)?(src\/.*)$/.exec(url)?.[2];
  if (own) return `${own}:${lineNumber + 1}`;
  return url === "" ? "(native)" : url.replace(/^node:/, "node:");
}

function packageOf(node: ProfileNode): string {
  const { url } = node.callFrame;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (/\/src\//.test(url)) return "(project src)";
  if (url.startsWith("node:")) return "(node core)";
  return node.callFrame.functionName.startsWith("(") ? node.callFrame.functionName : "(native/V8)";
}

function table(title: string, rows: [string, number][]): void {
  console.log(`\n${title}`);
  for (const [name, ms] of rows.sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * ms) / busyMs).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${name}`);
  }
}

const bySelf = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const node = byId.get(id);
  if (!node || node.callFrame.functionName === "(idle)") continue;
  const key = `${node.callFrame.functionName || "(anonymous)"}  ${where(node)}`;
  bySelf.set(key, (bySelf.get(key) ?? 0) + ms);
  byPackage.set(packageOf(node), (byPackage.get(packageOf(node)) ?? 0) + ms);
}

// Inclusive time of project functions: each sample counts once for every distinct project frame above it.
const inclusive = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const node = byId.get(at);
    if (!node || !/\/src\//.test(node.callFrame.url)) continue;
    const key = `${node.callFrame.functionName || "(anonymous)"}  ${where(node)}`;
    if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    seen.add(key);
  }
}

console.log(
  `busy ${busyMs.toFixed(0)} ms of ${totalMs.toFixed(0)} ms sampled (${((100 * busyMs) / totalMs).toFixed(0)}%)`,
);
table("self time by package", [...byPackage]);
table("self time by function", [...bySelf]);
table("inclusive time, project functions", [...inclusive]);
