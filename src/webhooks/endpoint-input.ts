import type { FieldError } from "../invitations/errors.js";
import { parseEndpointUrl } from "./endpoint-url.js";
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./events.js";

export const DEFAULT_OVERLAP_HOURS = 24;
export const MAX_OVERLAP_HOURS = 168;

/** Checks a URL's shape; pushes a field error and answers null when it is bad. */
export function urlField(raw: string, path: string[], errors: FieldError[]): URL | null {
  const parsed = parseEndpointUrl(raw);
  if (parsed.ok) return parsed.url;
  errors.push({ path, message: parsed.message });
  return null;
}

/** One or more known event types, each once, in the order of WEBHOOK_EVENT_TYPES. */
export function eventsField(
  raw: readonly string[],
  path: string[],
  errors: FieldError[],
): WebhookEventType[] {
  const unknown = raw.filter((name) => !isWebhookEventType(name.trim()));
  if (unknown.length > 0) {
    errors.push({
      path,
      message: `Unknown event type(s) ${unknown.map((n) => JSON.stringify(n)).join(", ")}; known: ${WEBHOOK_EVENT_TYPES.join(", ")}.`,
    });
    return [];
  }
  if (raw.length === 0) {
    errors.push({ path, message: `Name at least one event type: ${WEBHOOK_EVENT_TYPES.join(", ")}.` });
    return [];
  }
  const wanted = new Set(raw.map((name) => name.trim()));
  return WEBHOOK_EVENT_TYPES.filter((type) => wanted.has(type));
}

export function overlapField(raw: number | null | undefined, path: string[], errors: FieldError[]): number {
  const hours = raw ?? DEFAULT_OVERLAP_HOURS;
  if (!Number.isInteger(hours) || hours < 0 || hours > MAX_OVERLAP_HOURS) {
    errors.push({ path, message: `Must be an integer from 0 to ${MAX_OVERLAP_HOURS}.` });
  }
  return hours;
}
