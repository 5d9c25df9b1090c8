/** Practical address check: one @, no spaces or angle brackets, a dotted domain; RFC 5321 length limits. */
const ADDRESS =
  /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/**
 * Control and format characters (NUL, BEL, CR/LF, zero-width and bidi marks) and line or paragraph
 * separators. Mail libraries strip some of them when sending, so `v\u0000ictim@x` and `victim@x` would be two
 * users and two cap counts for one mailbox: an address holding any of them is refused, never cleaned.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

export function hasInvisibleCharacters(raw: string): boolean {
  return INVISIBLE.test(raw);
}

/** The normalised (trimmed, lower-cased) address, or null when it is not a deliverable-looking one. */
export function normalizeEmail(raw: string): string | null {
  if (hasInvisibleCharacters(raw)) return null;
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !ADDRESS.test(email) || email.split("@")[0]!.length > 64) return null;
  return email;
}
