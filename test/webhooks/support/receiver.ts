import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { Webhook } from "standardwebhooks";
import { freePort } from "../../mail/support/smtp-sink.js";

/** A parsed event body, walked by the tests as they expect it to be. */
type ParsedJson = ReturnType<typeof JSON.parse>;

export interface ReceivedWebhook {
  readonly id: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly event: { type: string; timestamp: string; data: ParsedJson };
  /** Which of the receiver's secrets verified it (by position); empty when none did. */
  readonly verifiedBy: number[];
}

export interface ReceiverOptions {
  readonly port?: number;
  /** How to answer each request (default 200 "ok"). */
  readonly respond?: (response: ServerResponse, received: ReceivedWebhook) => void;
}

/**
 * A real HTTP webhook receiver on loopback that checks every request with the `standardwebhooks` package against
 * each secret it knows, as a tenant's receiver would.
 */
export interface Receiver {
  readonly port: number;
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** Secrets to verify with (a receiver learns them from createWebhookEndpoint / rotateWebhookSecret). */
  readonly secrets: string[];
  waitFor(predicate: (all: ReceivedWebhook[]) => boolean, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const secrets: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = request.headers;
      const verifiedBy = secrets.flatMap((secret, index) => {
        try {
          new Webhook(secret).verify(body, headers as Record<string, string>);
          return [index];
        } catch {
          return [];
        }
      });
      let event: ReceivedWebhook["event"];
      try {
        event = JSON.parse(body) as ReceivedWebhook["event"];
      } catch {
        event = { type: "(not json)", timestamp: "", data: {} };
      }
      const entry = { id: String(headers["webhook-id"]), headers, body, event, verifiedBy };
      received.push(entry);
      if (options.respond) options.respond(response, entry);
      else response.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  const port = options.port ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    port,
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    secrets,
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline) {
          throw new Error(
            `timed out; received: ${received.map((r) => r.event.type).join(", ") || "nothing"}`,
          );
        }
        await sleep(25);
      }
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
