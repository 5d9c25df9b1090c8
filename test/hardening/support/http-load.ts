import { request, type Agent } from "node:http";

/** What one request came to: a response read to its end, or a transport error (with how far it got). */
export type Outcome =
  | { readonly kind: "response"; readonly status: number; readonly body: string; readonly at: number }
  | { readonly kind: "error"; readonly code: string; readonly afterHeaders: boolean; readonly at: number };

export interface SlowPost {
  /** Sends the rest of the body. */
  finish(): void;
  readonly outcome: Promise<Outcome>;
}

/** POSTs a JSON body over `agent` (keep-alive), never rejecting: every ending is an Outcome. */
export function postJson(
  agent: Agent,
  url: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<Outcome> {
  const slow = startPost(agent, url, body, headers);
  slow.finish();
  return slow.outcome;
}

/**
 * Sends the headers and half the body now, the rest on `finish()`: a request the server has accepted and
 * is still reading, as a slow client's is.
 */
export function startPost(
  agent: Agent | false,
  url: string,
  body: unknown,
  headers: Record<string, string>,
): SlowPost {
  const payload = Buffer.from(JSON.stringify(body));
  let finish = () => {};
  const outcome = new Promise<Outcome>((resolve) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": payload.length, ...headers },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          // A response cut short still ends: `complete` tells the two apart.
          resolve(
            res.complete
              ? { kind: "response", status: res.statusCode ?? 0, body: text, at: performance.now() }
              : { kind: "error", code: "INCOMPLETE", afterHeaders: true, at: performance.now() },
          );
        });
        res.on("error", (error: NodeJS.ErrnoException) =>
          resolve({
            kind: "error",
            code: error.code ?? error.message,
            afterHeaders: true,
            at: performance.now(),
          }),
        );
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) =>
      resolve({
        kind: "error",
        code: error.code ?? error.message,
        afterHeaders: false,
        at: performance.now(),
      }),
    );
    const half = Math.floor(payload.length / 2);
    req.write(payload.subarray(0, half));
    finish = () => req.end(payload.subarray(half));
  });
  return { finish: () => finish(), outcome };
}
