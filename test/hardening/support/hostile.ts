import fc from "fast-check";

/** One seed for every property test, so a failure replays exactly (fast-check prints it with the path). */
export const SEED = 20_260_301;

/** Inputs attackers and broken clients send: injection, traversal, prototype keys, odd numbers, control bytes. */
const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "9001\u0000",
  "' OR '1'='1",
  "1; DROP TABLE invitations; --",
  '" OR ""="',
  "9001 UNION SELECT key_hash FROM api_keys",
  "%",
  "%00",
  "%zz",
  "../../etc/passwd",
  "..",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "null",
  "undefined",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "0x2329",
  "9001.0",
  " 9001 ",
  "+9001",
  "-9001",
  "09001",
  "18446744073709551616",
  "9".repeat(400),
  "<script>alert(1)</script>",
  "${jndi:ldap://x}",
  "{{7*7}}",
  "\r\nX-Injected: 1",
  "\u202e\u0645\u0631\u062d\u0628\u0627",
  "🧨💥",
  "\ud800",
  "a".repeat(20_000),
  "00000000-0000-0000-0000-000000000000",
  "2489E9AD-2EE2-8E00-8EC9-32D5F69181C0",
];

/** Strings of every kind, biased towards the nasty ones and towards ids that exist in the test fixture. */
export function hostileString(realIds: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 60 }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.bigInt()).map(String) },
    { weight: 1, arbitrary: fc.uuid() },
    ...(realIds.length > 0 ? [{ weight: 6, arbitrary: fc.constantFrom(...realIds) }] : []),
  );
}

/** Any JSON value, including numbers where strings belong, deep nesting and `__proto__` keys. */
export function hostileJson(realIds: readonly string[] = []): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: hostileString(realIds) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
    { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, 2 ** 63, 1e20, 1e308) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.constant(JSON.parse('{"__proto__": {"admin": true}, "constructor": {}}')) },
  );
}

/** A value fit for an HTTP header (no CR, LF or NUL, Latin-1 only): what a client can actually send. */
export function headerSafe(value: string): string {
  return value.replace(/[^\t\x20-\x7e\x80-\xff]/g, "").trim();
}

/** Every string inside `value`, to strip what a response may legitimately echo back before looking for leaks. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([key, inner]) => [key, ...stringsIn(inner)]);
  }
  return [];
}

/** Stack frames, SQLite errors, SQL and source paths: what no response may show. */
const LEAKS =
  /\n\s*at |\bat [\w.<>]+ \(|SQLITE|sqlite|\b(SELECT|INSERT|UPDATE|DELETE)\b .*\b(FROM|INTO|SET)\b|\.ts:\d+|node_modules|INTERNAL_SERVER_ERROR|stacktrace/;

/** `body` with every echo of the request's own strings removed, then checked for leaks. */
export function leakIn(body: string, echoes: readonly string[]): string | null {
  let rest = body;
  for (const echo of [...echoes].sort((a, b) => b.length - a.length)) {
    if (echo.length < 3) continue;
    for (const form of [echo, JSON.stringify(echo).slice(1, -1), encodeURIComponent(wellFormed(echo))]) {
      rest = rest.split(form).join("");
    }
  }
  return LEAKS.exec(rest)?.[0] ?? null;
}

/** Lone surrogates replaced, as `String.prototype.toWellFormed` (ES2024) does. */
export function wellFormed(value: string): string {
  return value.replace(/\p{Cs}/gu, "\ufffd");
}
