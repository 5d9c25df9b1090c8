/** Schema fragments and value conversions shared by the response bodies. */

export const dateTime = { type: "string", format: "date-time" } as const;
export const nullableDateTime = { type: ["string", "null"], format: "date-time" } as const;
export const uuidString = { type: "string", format: "uuid" } as const;

/** Stored milliseconds as an ISO 8601 UTC timestamp. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

export function isoTimeOrNull(ms: number | null): string | null {
  return ms === null ? null : isoTime(ms);
}
