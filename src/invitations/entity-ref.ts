import type { EntityRef } from "./model.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const POSITIVE_INTEGER = /^[1-9][0-9]{0,15}$/;

/** Parses an id as clients send it: a positive integer or a uuid (any case). Anything else is null. */
export function parseEntityRef(raw: string): EntityRef | null {
  const value = raw.trim();
  if (POSITIVE_INTEGER.test(value)) {
    const id = Number(value);
    return Number.isSafeInteger(id) ? { id } : null;
  }
  if (UUID.test(value)) return { uuid: value.toLowerCase() };
  return null;
}

export function isUuid(raw: string): boolean {
  return UUID.test(raw);
}
