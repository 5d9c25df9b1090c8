/** Practical address check: one @, no spaces or angle brackets, a dotted domain; RFC 5321 length limits. */
const ADDRESS =
  /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** The normalised (trimmed, lower-cased) address, or null when it is not a deliverable-looking one. */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !ADDRESS.test(email) || email.split("@")[0]!.length > 64) return null;
  return email;
}
