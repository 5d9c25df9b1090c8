import { createHmac, randomBytes } from "node:crypto";

/** Standard Webhooks secrets: `whsec_` and the base64 of the key's bytes. */
export const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 32;

/** A new signing secret, shown to the administrator once. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString("base64");
}

function keyOf(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error("not a whsec_ secret");
  return Buffer.from(secret.slice(SECRET_PREFIX.length), "base64");
}

/**
 * The `webhook-signature` header of one message: `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under
 * each secret, space-separated (during a rotation's overlap both the new and the previous secret sign).
 */
export function signatureHeader(
  secrets: readonly string[],
  messageId: string,
  timestampSeconds: number,
  body: string,
): string {
  const signed = `${messageId}.${timestampSeconds}.${body}`;
  return secrets
    .map((secret) => `v1,${createHmac("sha256", keyOf(secret)).update(signed).digest("base64")}`)
    .join(" ");
}
