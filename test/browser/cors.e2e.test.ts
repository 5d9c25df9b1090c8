import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { KEYS } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";

/** Debian's chromium package (see STACK.md). */
const CHROMIUM = "/usr/bin/chromium";

// Two pages on other local origins (another port is another origin) call the API with fetch: the listed one
// gets its answer, the browser keeps the other's from it.
let api: TestServer;
let pages: Server;
let other: Server;
let pagesOrigin: (port: number) => string;
let allowedPort: number;
let otherPort: number;
let profile: string;
let browser: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run "apt-get install -y chromium"`);
  const listen = async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>app</title>");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return server;
  };
  pages = await listen();
  other = await listen();
  allowedPort = (pages.address() as AddressInfo).port;
  otherPort = (other.address() as AddressInfo).port;
  pagesOrigin = (port) => `http://127.0.0.1:${port}`;
  api = await startTestServer({ env: { CORS_ORIGINS: pagesOrigin(allowedPort) } });
  profile = mkdtempSync(join(tmpdir(), "invitation-api-cors-"));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--no-first-run",
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  pages?.close();
  other?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function callFrom(port: number): Promise<{ ok: boolean; body?: unknown; error?: string }> {
  const page = await browser.newPage();
  try {
    await page.goto(`${pagesOrigin(port)}/`);
    return await page.evaluate(
      async ({ url, key }) => {
        try {
          const response = await fetch(`${url}/graphql`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
            body: JSON.stringify({ query: "{ viewer { name } }" }),
          });
          return { ok: true, body: await response.json() };
        } catch (error) {
          return { ok: false, error: String(error) };
        }
      },
      { url: api.url, key: KEYS.acmeAdmin },
    );
  } finally {
    await page.close();
  }
}

it("lets a page on a listed origin call the API", async () => {
  expect(await callFrom(allowedPort)).toEqual({
    ok: true,
    body: { data: { viewer: { name: "Ada Admin" } } },
  });
});

it("blocks a page on an unlisted origin", async () => {
  const result = await callFrom(otherPort);
  expect(result.ok).toBe(false);
  expect(result.error).toMatch(/Failed to fetch/);
});
