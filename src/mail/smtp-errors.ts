/** Whether trying again later can help. */
export type FailureKind = "temporary" | "permanent";

export interface DeliveryFailure {
  readonly kind: FailureKind;
  /** Kept in the outbox row for operators; never contains the email body. */
  readonly reason: string;
}

/** Errors nodemailer raises before talking to any server, for a message that no retry can fix. */
const UNSENDABLE_MESSAGE_CODES = new Set(["EENVELOPE", "EMESSAGE"]);

const MAX_REASON_LENGTH = 500;

/**
 * SMTP 5xx replies are permanent; 4xx replies, network errors, timeouts and local I/O errors are temporary.
 * An authentication failure (535) is a deployment mistake, not a property of the email: retried, so fixing
 * the credentials delivers what queued up meanwhile. Anything unrecognised is retried too; the attempt limit
 * bounds it.
 */
export function classifyDeliveryError(error: unknown): DeliveryFailure {
  const { message, code, responseCode } = fieldsOf(error);
  const prefixed = code !== null && !message.includes(code) ? `${code}: ${message}` : message;
  // A server's reply may quote the message it refused: never let an accept link into the stored reason or the logs.
  const reason = prefixed
    .replace(/token=[^\s&"'<>]+/gi, "token=[redacted]")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, MAX_REASON_LENGTH);

  if (responseCode !== null) {
    const permanent = responseCode >= 500 && responseCode < 600 && code !== "EAUTH";
    return { kind: permanent ? "permanent" : "temporary", reason };
  }
  if (code !== null && UNSENDABLE_MESSAGE_CODES.has(code)) return { kind: "permanent", reason };
  return { kind: "temporary", reason };
}

/** nodemailer errors carry `code` (e.g. ECONNECTION) and, for server replies, `responseCode`. */
function fieldsOf(error: unknown): { message: string; code: string | null; responseCode: number | null } {
  if (!(error instanceof Error)) return { message: String(error), code: null, responseCode: null };
  const { code, responseCode } = error as Error & { code?: unknown; responseCode?: unknown };
  return {
    message: error.message,
    code: typeof code === "string" ? code : null,
    responseCode: typeof responseCode === "number" ? responseCode : null,
  };
}
