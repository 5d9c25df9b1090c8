import { simpleParser, type ParsedMail } from "mailparser";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { SMTPServer } from "smtp-server";

export interface SmtpSinkOptions {
  /** Listen on this port (to bring a "down" server back up where the API expects it); default: a free one. */
  readonly port?: number;
  /** Answer every RCPT TO with this 5xx (or 4xx) reply. */
  readonly rejectRecipients?: { readonly code: number; readonly message: string };
  /** Greet the first N connections with `421 try again later` and hang up. */
  readonly refuseFirstConnections?: number;
  /** Hold each message this long before accepting it, to catch the server mid-send. */
  readonly acceptDelayMs?: number;
}

export interface ReceivedEmail {
  readonly raw: string;
  readonly parsed: ParsedMail;
  readonly envelopeTo: string[];
}

export interface SmtpSink {
  readonly port: number;
  /** SMTP_URL pointing at this server. */
  readonly url: string;
  readonly received: ReceivedEmail[];
  /** Every RCPT TO seen, accepted or not: tells whether a refused email was tried again. */
  readonly recipientAttempts: string[];
  /** Resolves when a message arrives into DATA (before it is accepted). */
  dataStarted(): Promise<void>;
  waitForEmails(count: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
  close(): Promise<void>;
}

/** A real SMTP server on loopback (the `smtp-server` package) that parses what arrives with `mailparser`. */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const received: ReceivedEmail[] = [];
  const recipientAttempts: string[] = [];
  let connections = 0;
  let signalDataStarted: () => void = () => {};
  const dataStarted = new Promise<void>((resolve) => (signalDataStarted = resolve));

  const server = new SMTPServer({
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 1_000,
    onConnect(_session, callback) {
      connections += 1;
      if (connections <= (options.refuseFirstConnections ?? 0)) {
        return callback(smtpError(421, "try again later"));
      }
      callback();
    },
    onRcptTo(address, _session, callback) {
      recipientAttempts.push(address.address);
      const reject = options.rejectRecipients;
      callback(reject ? smtpError(reject.code, reject.message) : undefined);
    },
    onData(stream, session, callback) {
      signalDataStarted();
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", async () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        received.push({
          raw,
          parsed: await simpleParser(raw),
          envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
        });
        if (options.acceptDelayMs) await sleep(options.acceptDelayMs);
        callback();
      });
    },
  });
  const port = options.port ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    recipientAttempts,
    dataStarted: () => dataStarted,
    async waitForEmails(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} emails, got ${received.length}`);
        await sleep(25);
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on (yet): where a "down" mail server lives. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", () => resolve()));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}
