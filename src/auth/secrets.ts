import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Prefix of every API key this server issues, so leaked keys are recognisable (secret scanners, logs). */
export const API_KEY_PREFIX = "inv_";

/** SHA-256, hex. Secrets are stored only in this form. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Compares two hex digests without leaking, through timing, where they first differ. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A new API key: the prefix and 256 random bits. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString("base64url");
}

/** A new invitation token: 256 random bits, URL-safe. */
export function generateInvitationToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What an operator sees of a key: enough to tell keys apart, far too little to use one. */
export function displayPrefix(apiKey: string): string {
  return apiKey.slice(0, Math.min(12, Math.floor(apiKey.length / 3)));
}
