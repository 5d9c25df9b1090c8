import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { KEYS } from "../support/harness.js";
import { listeningUrl, spawnServer, type ChildServer } from "./support/child-server.js";
import { startLoggedServer, type LoggedServer } from "./support/logged-server.js";
import { freePort, startRedis, startSilentServer, type TestRedis } from "./support/redis-server.js";

// REDIS_URL: the request rate limit is counted across every instance that names the same Redis. Redis down or
// unreachable: requests are served without the limit, the log says so once, and start and stop stay prompt.

const LIMIT = 3;

const viewer = (url: string, key: string | null) =>
  fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key && { authorization: `Bearer ${key}` }) },
    body: JSON.stringify({ query: "{ __typename }" }),
  });

/** Log lines at warn level that say the limits are not enforced. */
const skipWarnings = (lines: readonly string[]) =>
  lines
    .map((line) => JSON.parse(line) as { level: number; msg: string })
    .filter((line) => line.level === 40 && /rate limits/i.test(line.msg));

describe("two instances sharing one redis-server", () => {
  let redis: TestRedis;
  let a: LoggedServer;
  let b: LoggedServer;
  beforeAll(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, RATE_LIMIT_PER_MINUTE: String(LIMIT) };
    [a, b] = await Promise.all([startLoggedServer(env), startLoggedServer(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await redis?.stop();
  });

  it("share one budget: the second instance refuses a key once the first used its budget", async () => {
    for (let i = 0; i < LIMIT; i++) expect((await viewer(a.url, KEYS.acmeMember)).status).toBe(200);
    const refused = await viewer(b.url, KEYS.acmeMember);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await viewer(a.url, KEYS.acmeMember)).status).toBe(429);
    // Another key keeps its own budget.
    expect((await viewer(b.url, KEYS.globexAdmin)).status).toBe(200);
  });

  it("serve requests without the limit while Redis is down, and log it once", async () => {
    await redis.stop();
    const logged = a.lines.length;
    for (let i = 0; i < LIMIT + 2; i++) expect((await viewer(a.url, KEYS.acmeAdmin)).status).toBe(200);
    expect(skipWarnings(a.lines.slice(logged))).toHaveLength(1);
  });
});

describe.each([
  {
    name: "refuses connections",
    redis: async () => ({ url: `redis://127.0.0.1:${await freePort()}`, close: async () => {} }),
  },
  { name: "accepts connections and never answers", redis: startSilentServer },
])("a REDIS_URL that $name", ({ redis: startRedisLike }) => {
  let dir: string;
  let server: ChildServer | undefined;
  afterEach(() => {
    server?.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("still starts, serves requests without the limit, warns, and stops promptly on SIGTERM", async () => {
    const redis = await startRedisLike();
    try {
      dir = mkdtempSync(join(tmpdir(), "invitation-api-redis-down-"));
      server = spawnServer(
        {
          HOST: "127.0.0.1",
          PORT: "0",
          DATABASE_URL: join(dir, "test.db"),
          REDIS_URL: redis.url,
          RATE_LIMIT_PER_MINUTE: "1",
        },
        dir,
      );
      const url = await listeningUrl(server);
      // Requests without a key count against the client address: over the limit of 1, all served.
      for (let i = 0; i < 3; i++) expect((await viewer(url, null)).status).toBe(200);
      const lines = server.stdout().split("\n").filter(Boolean);
      expect(skipWarnings(lines)).toHaveLength(1);

      const sigtermAt = performance.now();
      server.child.kill("SIGTERM");
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(performance.now() - sigtermAt).toBeLessThan(2000);
    } finally {
      await redis.close();
    }
  });
});
