import type { FieldError } from "./errors.js";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  readonly first?: number | null;
  readonly after?: string | null;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly cursors: readonly string[];
  readonly hasNextPage: boolean;
  /**
   * Whether items come before this page: true when it continues after a cursor, which names an item already
   * listed. Relay lets forward-only pagination answer this without a query looking back.
   */
  readonly hasPreviousPage: boolean;
  /** Matching rows across all pages; a call walks them all, so it is made only when asked for. */
  readonly totalCount: () => Promise<number>;
}

/** Cursors are opaque to clients: a versioned, encoded row id. */
export function encodeCursor(id: number): string {
  return Buffer.from(`v1:${id}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): number | null {
  if (cursor.length > 64) return null;
  const match = /^v1:([1-9][0-9]{0,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  return match ? Number(match[1]) : null;
}

/** Validates `first` and `after`; returns the page size and the id to continue below. */
export function parsePageRequest(
  request: PageRequest,
): { ok: true; limit: number; beforeId: number | null } | { ok: false; fieldErrors: FieldError[] } {
  const fieldErrors: FieldError[] = [];
  const first = request.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    fieldErrors.push({ path: ["first"], message: `Must be an integer from 1 to ${MAX_PAGE_SIZE}.` });
  }
  const beforeId = request.after == null ? null : decodeCursor(request.after);
  if (request.after != null && beforeId === null) {
    fieldErrors.push({ path: ["after"], message: "Not a cursor returned by this API." });
  }
  return fieldErrors.length > 0 ? { ok: false, fieldErrors } : { ok: true, limit: first, beforeId };
}

/** Fetches one row more than asked to learn whether another page exists, without a second query. */
export async function pageOf<T extends { id: number }>(
  fetch: (beforeId: number | null, limit: number) => Promise<T[]>,
  totalCount: () => Promise<number>,
  limit: number,
  beforeId: number | null,
): Promise<Page<T>> {
  const rows = await fetch(beforeId, limit + 1);
  const items = rows.slice(0, limit);
  return {
    items,
    cursors: items.map((row) => encodeCursor(row.id)),
    hasNextPage: rows.length > limit,
    hasPreviousPage: beforeId !== null,
    totalCount,
  };
}
