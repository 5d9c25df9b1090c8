import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface TestRedis {
  readonly url: string;
  /** Stops the server and waits until its port refuses connections. */
  stop(): Promise<void>;
}

/** A free loopback port: bound, read and released. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Debian's redis-server on a free loopback port, keeping nothing on disk (STACK.md). */
export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), "invitation-api-redis-"));
  const port = await freePort();
  const pidFile = join(dir, "redis.pid");
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const started = spawnSync("redis-server", [
    ...args,
    "--dir",
    dir,
    "--daemonize",
    "yes",
    "--pidfile",
    pidFile,
  ]);
  if (started.error) {
    throw new Error(
      `redis-server could not run (${started.error.message}): run "apt-get install -y redis-server" (.ci/run installs it)`,
    );
  }
  if (started.status !== 0) throw new Error(`redis-server did not start: ${started.stderr.toString()}`);
  for (let i = 0; !(await accepts(port)); i++) {
    if (i > 200) throw new Error(`redis-server is not accepting on ${port}`);
    await sleep(10);
  }
  let stopped = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      const pid = Number(readFileSync(pidFile, "utf8").trim());
      process.kill(pid, "SIGTERM");
      while (await accepts(port)) await sleep(10);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP server that accepts connections and never answers: a Redis that hangs. */
export async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
