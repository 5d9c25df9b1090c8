import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { ResolvedAddress } from "./address-guard.js";

export interface WebhookRequest {
  readonly url: URL;
  /** The address checked by the guard: the connection goes there and nowhere else. */
  readonly address: ResolvedAddress;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface SenderTimeouts {
  /** From the start until the TCP (and TLS) connection is up. */
  readonly connectMs: number;
  /** From the start until the response's status line and headers have arrived. */
  readonly responseMs: number;
}

/** What came back. Redirects are answers like any other: never followed. */
export type WebhookResponse =
  | { readonly kind: "response"; readonly statusCode: number; readonly excerpt: string }
  | { readonly kind: "error"; readonly reason: string };

/** Longest piece of a response body kept (in characters); the rest is never read into memory. */
export const EXCERPT_CHARS = 256;
const EXCERPT_BYTES = EXCERPT_CHARS * 4;

export const DEFAULT_TIMEOUTS: SenderTimeouts = { connectMs: 5_000, responseMs: 15_000 };

/**
 * POSTs one webhook with node:http(s), connecting to the pre-checked address through a `lookup` that answers
 * only that address (a DNS rebinding between check and connection cannot redirect it); TLS still verifies the
 * certificate against the URL's host name. At most EXCERPT_BYTES of the body are read.
 */
export function sendWebhook(request: WebhookRequest, timeouts: SenderTimeouts): Promise<WebhookResponse> {
  const { url, address } = request;
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as (error: null, addresses: { address: string; family: number }[]) => void)(null, [
        { address: address.address, family: address.family },
      ]);
    } else {
      callback(null, address.address, address.family);
    }
  };
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (response: WebhookResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(responseTimer);
      resolve(response);
    };
    const outgoing = client.request(url, {
      method: "POST",
      lookup: pinned,
      agent: false,
      headers: {
        ...request.headers,
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(request.body)),
        "user-agent": "invitation-api-webhooks/1",
      },
    });
    const fail = (reason: string) => {
      finish({ kind: "error", reason });
      outgoing.destroy();
    };
    const connectTimer = setTimeout(
      () => fail(`no connection within ${timeouts.connectMs} ms`),
      timeouts.connectMs,
    );
    const responseTimer = setTimeout(
      () => fail(`no response within ${timeouts.responseMs} ms`),
      timeouts.responseMs,
    );
    outgoing.on("socket", (socket) => {
      const connected = () => clearTimeout(connectTimer);
      if (url.protocol === "https:") socket.once("secureConnect", connected);
      else socket.once("connect", connected);
    });
    outgoing.on("error", (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
    outgoing.on("response", (response) => {
      clearTimeout(responseTimer);
      const chunks: Buffer[] = [];
      let bytes = 0;
      const done = () => {
        const excerpt = Buffer.concat(chunks).toString("utf8").slice(0, EXCERPT_CHARS);
        finish({ kind: "response", statusCode: response.statusCode ?? 0, excerpt });
        response.destroy();
      };
      // The body is only for the excerpt: stop reading once it is full, or after a short wait.
      const bodyTimer = setTimeout(done, 1_000);
      response.on("data", (chunk: Buffer) => {
        if (bytes < EXCERPT_BYTES) chunks.push(chunk.subarray(0, EXCERPT_BYTES - bytes));
        bytes += chunk.length;
        if (bytes >= EXCERPT_BYTES) {
          clearTimeout(bodyTimer);
          done();
        }
      });
      response.on("end", () => {
        clearTimeout(bodyTimer);
        done();
      });
      response.on("error", () => {
        clearTimeout(bodyTimer);
        done();
      });
    });
    outgoing.end(request.body);
  });
}
