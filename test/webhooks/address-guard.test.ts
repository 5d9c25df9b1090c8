import { describe, expect, it } from "vitest";
import { checkHost, isPublicAddress } from "../../src/webhooks/address-guard.js";
import { parseEndpointUrl } from "../../src/webhooks/endpoint-url.js";
import { parseSecretKey, SecretBox } from "../../src/webhooks/secret-box.js";
import { signatureHeader, generateWebhookSecret } from "../../src/webhooks/signature.js";
import { Webhook } from "standardwebhooks";

describe("the address guard", () => {
  it.each([
    "169.254.169.254", // cloud metadata
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "127.0.0.1",
    "127.8.9.10",
    "0.0.0.0",
    "100.64.0.1",
    "224.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fd00:ec2::254", // AWS metadata over IPv6
    "fc00::1",
    "::ffff:10.0.0.1",
    "::ffff:a9fe:a9fe", // 169.254.169.254, IPv4-mapped in hex
    "64:ff9b::a9fe:a9fe", // NAT64 of the metadata address
    "not an address",
  ])("refuses %s", (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])("allows %s", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it("refuses a name with any private address among its public ones, unless private addresses are allowed", async () => {
    const mixed = async () => [
      { address: "93.184.216.34", family: 4 as const },
      { address: "10.0.0.1", family: 4 as const },
    ];
    expect(await checkHost("mixed.test", false, mixed)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("10.0.0.1"),
    });
    expect(await checkHost("mixed.test", true, mixed)).toMatchObject({
      ok: true,
      address: { address: "93.184.216.34" },
    });
    expect(await checkHost("[::1]", false)).toMatchObject({ ok: false });
    const none = async () => {
      throw Object.assign(new Error("nope"), { code: "ENOTFOUND" });
    };
    expect(await checkHost("nowhere.test", true, none)).toEqual({
      ok: false,
      reason: "nowhere.test does not resolve (ENOTFOUND)",
    });
  });

  it("accepts only absolute http(s) URLs without credentials or fragments", () => {
    expect(parseEndpointUrl("https://hooks.example.com/in").ok).toBe(true);
    for (const bad of [
      "",
      "ftp://x.test/",
      "/relative",
      "https://user:pw@x.test/",
      "https://x.test/#f",
      "x".repeat(3000),
    ]) {
      expect(parseEndpointUrl(bad).ok, bad).toBe(false);
    }
  });
});

describe("secrets and signatures", () => {
  it("signs as Standard Webhooks does, so the standardwebhooks package verifies", () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ type: "invitation.created", data: {} });
    const timestamp = Math.floor(Date.now() / 1000);
    const header = signatureHeader([secret], "msg_1", timestamp, body);
    expect(header).toBe(new Webhook(secret).sign("msg_1", new Date(timestamp * 1000), body));
    expect(
      new Webhook(secret).verify(body, {
        "webhook-id": "msg_1",
        "webhook-timestamp": String(timestamp),
        "webhook-signature": header,
      }),
    ).toEqual(JSON.parse(body));
  });

  it("parses WEBHOOK_SECRET_KEY as hex or base64 of exactly 32 bytes", () => {
    expect(parseSecretKey("ab".repeat(32))?.length).toBe(32);
    expect(parseSecretKey(Buffer.alloc(32, 3).toString("base64"))).toEqual(Buffer.alloc(32, 3));
    expect(parseSecretKey(Buffer.alloc(32, 3).toString("base64url"))).toEqual(Buffer.alloc(32, 3));
    expect(parseSecretKey("ab".repeat(31))).toBeNull();
    expect(parseSecretKey(Buffer.alloc(16).toString("base64"))).toBeNull();
  });

  it("seals a secret for one endpoint: a fresh nonce each time, bound to the endpoint's uuid", () => {
    const box = new SecretBox(Buffer.alloc(32, 5));
    const sealed = box.seal("whsec_abc", "uuid-1");
    expect(sealed).not.toBe(box.seal("whsec_abc", "uuid-1"));
    expect(box.open(sealed, "uuid-1")).toBe("whsec_abc");
    expect(() => box.open(sealed, "uuid-2")).toThrow();
    expect(() => box.open(`${sealed.slice(0, -2)}AA`, "uuid-1")).toThrow();
  });
});
