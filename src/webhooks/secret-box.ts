import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const SECRET_KEY_BYTES = 32;

/** The stored form can no longer be opened: WEBHOOK_SECRET_KEY changed, or the row was tampered with. */
export class SecretUnreadable extends Error {
  override name = "SecretUnreadable";
}

/**
 * Endpoint signing secrets at rest: AES-256-GCM under WEBHOOK_SECRET_KEY, with the endpoint's uuid as
 * associated data, so a ciphertext copied onto another endpoint's row does not open. A database dump alone
 * holds no secret that signs.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== SECRET_KEY_BYTES) throw new Error(`the secret key must be ${SECRET_KEY_BYTES} bytes`);
  }

  seal(secret: string, endpointUuid: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(endpointUuid, "utf8"));
    const sealed = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url")}`;
  }

  open(stored: string, endpointUuid: string): string {
    const [version, body] = stored.split(":");
    if (version !== VERSION || body === undefined) throw new SecretUnreadable("unknown secret format");
    const bytes = Buffer.from(body, "base64url");
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(endpointUuid, "utf8"));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString("utf8");
    } catch {
      throw new SecretUnreadable(
        "the endpoint's secret cannot be decrypted: WEBHOOK_SECRET_KEY is not the key it was stored with",
      );
    }
  }
}

/**
 * WEBHOOK_SECRET_KEY: 32 bytes, as 64 hex digits or base64 (`openssl rand -base64 32`). Null when the text is
 * neither.
 */
export function parseSecretKey(raw: string): Buffer | null {
  if (/^[0-9a-f]{64}$/i.test(raw)) return Buffer.from(raw, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(raw)) {
    const key = Buffer.from(raw.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    return key.length === SECRET_KEY_BYTES ? key : null;
  }
  return null;
}
