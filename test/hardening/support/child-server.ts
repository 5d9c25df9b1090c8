import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../../../src/paths.js";

const MAIN = join(projectRoot, "src", "main.ts");
/** tsx by URL, so the child may run in any folder (the server writes `.eml` files under its own `./data`). */
const TSX = import.meta.resolve("tsx");

export interface ChildServer {
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
}

/** `npm start` without the build: the real entry point in its own process, with exactly `env` (plus PATH). */
export function spawnServer(env: Record<string, string>, cwd: string): ChildServer {
  const child = spawn(process.execPath, ["--import", TSX, MAIN], {
    cwd,
    // tsx reads tsconfig.json (decorator settings) from the working folder unless told where it is.
    env: { PATH: process.env.PATH ?? "", TSX_TSCONFIG_PATH: join(projectRoot, "tsconfig.json"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** The URL from the server's "listening" log line; fails when the process exits first or takes too long. */
export async function listeningUrl(server: ChildServer, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const line of server.stdout().split("\n")) {
      if (!line.includes("invitation API listening")) continue;
      return (JSON.parse(line) as { url: string }).url;
    }
    if (server.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`server did not start:\n${server.stdout()}\n${server.stderr()}`);
}
