import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Addresses a webhook must never reach from inside the deployment: loopback, private networks, link-local
 * (cloud metadata at 169.254.169.254 among them), carrier-grade NAT, unspecified, multicast, documentation
 * and other reserved ranges. IPv4-mapped IPv6 addresses are judged by their IPv4 address.
 */
const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001::", 23],
  ["2001:db8::", 32],
  ["2002::", 16],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, "ipv6");
}

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;
const MAPPED_V4_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;

/** The IPv4 address an IPv4-mapped IPv6 address stands for, else the address itself. */
function unmapped(address: string): string {
  const dotted = MAPPED_V4.exec(address);
  if (dotted) return dotted[1]!;
  const hex = MAPPED_V4_HEX.exec(address);
  if (hex) {
    const high = parseInt(hex[1]!, 16);
    const low = parseInt(hex[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return address;
}

/** Whether a webhook may be sent to this IP address (when private addresses are not allowed). */
export function isPublicAddress(address: string): boolean {
  const plain = unmapped(address.replace(/^\[|\]$/g, ""));
  const family = isIP(plain);
  if (family === 0) return false;
  return !FORBIDDEN.check(plain, family === 4 ? "ipv4" : "ipv6");
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

export type AddressCheck =
  { readonly ok: true; readonly address: ResolvedAddress } | { readonly ok: false; readonly reason: string };

export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => ({
    address: entry.address,
    family: entry.family === 6 ? 6 : 4,
  }));

/**
 * Resolves a URL's host and picks the address to connect to. Every address the name resolves to must be
 * public (unless `allowPrivate`): a name with one private address among public ones is refused, since the
 * connection could land on either. Called when an endpoint is saved and again before every delivery, and the
 * delivery connects to exactly the address checked here (no second lookup a rebinding DNS server could answer).
 */
export async function checkHost(
  hostname: string,
  allowPrivate: boolean,
  resolve: Resolver = systemResolver,
): Promise<AddressCheck> {
  const host = hostname.replace(/^\[|\]$/g, "");
  let addresses: readonly ResolvedAddress[];
  if (isIP(host) !== 0) {
    addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await resolve(host);
    } catch (error) {
      const code = (error as { code?: string }).code ?? "an error";
      return { ok: false, reason: `${host} does not resolve (${code})` };
    }
    if (addresses.length === 0) return { ok: false, reason: `${host} does not resolve` };
  }
  if (!allowPrivate) {
    const forbidden = addresses.find((entry) => !isPublicAddress(entry.address));
    if (forbidden) {
      return {
        ok: false,
        reason:
          `${host} resolves to ${forbidden.address}, a loopback, private, link-local or otherwise reserved ` +
          "address; webhooks go to public addresses only (WEBHOOK_ALLOW_PRIVATE=on allows others)",
      };
    }
  }
  return { ok: true, address: addresses[0]! };
}
