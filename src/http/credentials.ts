import type { IncomingHttpHeaders } from "node:http";
import type { Credentials } from "../auth/credentials.js";
import { hashSecret } from "../auth/secrets.js";

/**
 * Reads `Authorization: Bearer KEY` or `X-Api-Key: KEY`, and `X-Tenant-ID`. A malformed or repeated header,
 * or two different keys at once, yields no key: the request is then unauthenticated, never guessed at.
 */
export function credentialsFromHeaders(headers: IncomingHttpHeaders): Credentials {
  const tenantHeader = single(headers["x-tenant-id"]);
  // A repeated X-Tenant-ID names no tenant for sure: claim one that matches none.
  const tenantClaims = tenantHeader === undefined ? [] : [tenantHeader ?? ""];
  return { apiKey: apiKeyFrom(headers), tenantClaims };
}

/**
 * Whom a request counts against for the request rate limit: the SHA-256 of the API key it presents (so the
 * limiter's memory holds no key) when that key is one of ours, else its client address, so that rotating
 * made-up keys buys no extra budget.
 */
export async function rateLimitKeyOf(
  headers: IncomingHttpHeaders,
  clientAddress: string,
  isKnownKey: (keyHash: string) => Promise<boolean>,
): Promise<string> {
  const apiKey = apiKeyFrom(headers);
  if (apiKey === null) return `ip:${clientAddress}`;
  const keyHash = hashSecret(apiKey);
  return (await isKnownKey(keyHash)) ? `key:${keyHash}` : `ip:${clientAddress}`;
}

function apiKeyFrom(headers: IncomingHttpHeaders): string | null {
  const authorization = headers.authorization;
  const xApiKey = headers["x-api-key"];
  let bearer: string | null | undefined;
  if (authorization !== undefined) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (!match) return null;
    bearer = match[1];
  }
  const apiKeyHeader = single(xApiKey);
  if (apiKeyHeader === null) return null;
  if (bearer != null && apiKeyHeader !== undefined && bearer !== apiKeyHeader.trim()) return null;
  return bearer ?? apiKeyHeader?.trim() ?? null;
}

/** The header's value; null when it was sent more than once; undefined when absent. */
function single(value: string | string[] | undefined): string | null | undefined {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : null;
  return value;
}
