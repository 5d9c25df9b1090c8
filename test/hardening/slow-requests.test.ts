import { connect } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";

// A client that trickles its request (a byte a second) must not hold a connection and its buffers forever:
// REQUEST_TIMEOUT_SECONDS bounds the whole request, HEADERS_TIMEOUT_SECONDS its headers; then 408 and close.

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ env: { REQUEST_TIMEOUT_SECONDS: "2", HEADERS_TIMEOUT_SECONDS: "1" } });
});
afterAll(() => s.close());

/** Sends `head` at once, then `trickle` one byte a second; resolves with what came back when the server closed. */
function trickle(head: string, trickled: string): Promise<{ response: string; closedAfterMs: number }> {
  const { port } = new URL(s.url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    let response = "";
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < trickled.length) socket.write(trickled[sent++]!);
    }, 1000);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (response += chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "ECONNRESET" && error.code !== "EPIPE") reject(error);
    });
    socket.on("close", () => {
      clearInterval(timer);
      resolve({ response, closedAfterMs: performance.now() - started });
    });
    socket.write(head);
  });
}

const body = JSON.stringify({ query: "{ __typename }" });

it("answers 408 and closes when the body arrives a byte a second past REQUEST_TIMEOUT_SECONDS", async () => {
  const head =
    `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${body.length}\r\n\r\n`;
  const { response, closedAfterMs } = await trickle(head, body);
  expect(response).toMatch(/^HTTP\/1\.1 408 /);
  // The timeout, plus up to one check interval.
  expect(closedAfterMs).toBeGreaterThan(1900);
  expect(closedAfterMs).toBeLessThan(4500);
});

it("answers 408 and closes when the headers arrive a byte a second past HEADERS_TIMEOUT_SECONDS", async () => {
  const { response, closedAfterMs } = await trickle("GET /healthz HTTP/1.1\r\n", "Host: 127.0.0.1\r\n\r\n");
  expect(response).toMatch(/^HTTP\/1\.1 408 /);
  expect(closedAfterMs).toBeGreaterThan(900);
  expect(closedAfterMs).toBeLessThan(3500);
});

it("still serves a request that completes in time", async () => {
  const response = await fetch(`${s.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  expect(response.status).toBe(200);
});
