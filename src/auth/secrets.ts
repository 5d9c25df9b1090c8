import { hash, randomBytes, timingSafeEqual } from "node:crypto";

/** Prefix of every API key this server issues, so leaked keys are recognisable (secret scanners, logs). */
export const API_KEY_PREFIX = "inv_";

/** SHA-256, hex. Secrets are stored only in this form. One-shot: a third of createHash's cost, on every request. */
export function hashSecret(secret: string): string {
  return hash("sha256", secret, "hex");
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
  return takeRandomBytes(32).toString("base64url");
}

/**
 * Random bytes drawn from the CSPRNG a page at a time: each call to it costs more than the 32 bytes a token
 * needs (Node's own randomUUID caches likewise). Every byte is handed out once and wiped from the pool as it is.
 */
const RANDOM_POOL_BYTES = 4096;
let randomPool = Buffer.alloc(0);
let randomPoolOffset = 0;

function takeRandomBytes(size: number): Buffer {
  if (randomPoolOffset + size > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomPoolOffset = 0;
  }
  const bytes = Buffer.from(randomPool.subarray(randomPoolOffset, randomPoolOffset + size));
  randomPool.fill(0, randomPoolOffset, randomPoolOffset + size);
  randomPoolOffset += size;
  return bytes;
}

/** What an operator sees of a key: enough to tell keys apart, far too little to use one. */
export function displayPrefix(apiKey: string): string {
  return apiKey.slice(0, Math.min(12, Math.floor(apiKey.length / 3)));
}
