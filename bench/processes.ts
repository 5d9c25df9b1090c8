import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly url: string;
  /** Everything the child wrote to stderr, for the failure report. */
  stderr(): string;
}

/** A port free right now on loopback (the child binds it a moment later). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return address.port;
}

/** Starts `node args...` and waits until `readyPath` answers 200. */
export async function startChild(
  name: string,
  args: string[],
  options: { port: number; readyPath: string; cwd: string; env: NodeJS.ProcessEnv },
): Promise<Child> {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "inherit", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(url + options.readyPath);
      if (response.ok) return { name, process: child, url, stderr: () => stderr };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error(`${name} did not become ready (exit code ${child.exitCode}):\n${stderr}`);
}

/** Resident memory of a child, in MiB (Linux). */
export function residentMiB(child: Child): number {
  const status = readFileSync(`/proc/${child.process.pid}/status`, "utf8");
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for ${child.name}`);
  return Number(kib) / 1024;
}

/** SIGTERM, then waits for the exit (a CPU profile is written on the way out). */
export async function stopChild(child: Child): Promise<void> {
  if (child.process.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.process.once("exit", () => resolve()));
  child.process.kill("SIGTERM");
  const timeout = sleep(30_000).then(() => child.process.kill("SIGKILL"));
  await Promise.race([exited, timeout]);
}
