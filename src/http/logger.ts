import pino, { type Logger } from "pino";

/**
 * JSON logs. Credentials never reach a log line: the headers that carry them are redacted, and no code
 * logs tokens (the outbox body that holds one is never logged).
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          "req.headers.authorization",
          "req.headers['x-api-key']",
          "req.headers.cookie",
          "headers.authorization",
          "headers['x-api-key']",
        ],
        censor: "[redacted]",
      },
      serializers: {
        // Query strings can carry accept tokens (GET /invitations/accept?token=...): log the path only.
        req: (req: { method: string; url: string; id: string }) => ({
          method: req.method,
          url: req.url.split("?")[0],
          id: req.id,
        }),
      },
    },
    destination,
  );
}
