import fc from "fast-check";
import { expect, it } from "vitest";
import { normalizeEmail } from "../../src/invitations/email-address.js";
import { validateFixture } from "../../src/fixtures/validate-fixture.js";
import { checkBootstrapInput } from "../../src/fixtures/bootstrap.js";

/** Characters a mail library may strip or a terminal may hide: control, format, line and paragraph separators. */
const invisible = fc
  .oneof(
    fc.integer({ min: 0x00, max: 0x1f }),
    fc.integer({ min: 0x7f, max: 0x9f }),
    fc.constantFrom(
      0x200b,
      0x200c,
      0x200d,
      0x200e,
      0x200f,
      0x202a,
      0x202e,
      0x2060,
      0x2066,
      0xfeff,
      0x2028,
      0x2029,
      0xad,
    ),
  )
  .map((code) => String.fromCodePoint(code));

/** A valid address with one invisible character put anywhere in it. */
const poisoned = fc.tuple(fc.emailAddress(), invisible, fc.nat()).map(([address, char, at]) => {
  const i = at % (address.length + 1);
  return address.slice(0, i) + char + address.slice(i);
});

it("refuses any address holding a control or format character, wherever it stands", () => {
  fc.assert(
    fc.property(poisoned, (address) => {
      expect(normalizeEmail(address)).toBeNull();
    }),
    { seed: 20260301, numRuns: 2000 },
  );
});

it("keeps accepting ordinary addresses, lower-cased and trimmed", () => {
  fc.assert(
    fc.property(fc.emailAddress(), (address) => {
      const normalized = normalizeEmail(`  ${address} `);
      // Whatever it accepts is printable ASCII with one @: what is stored is what is delivered to.
      if (normalized !== null) {
        expect(normalized).toBe(address.toLowerCase());
        expect(normalized).toMatch(/^[\x21-\x7e]+$/);
      }
    }),
    { seed: 20260301, numRuns: 2000 },
  );
  expect(normalizeEmail(" Bob@Acme.TEST ")).toBe("bob@acme.test");
});

it("is refused the same way by fixtures and by `cli bootstrap --admin-email`", () => {
  fc.assert(
    fc.property(poisoned, (address) => {
      const result = validateFixture({ tenants: [{ name: "T", users: [{ name: "U", email: address }] }] });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors.map((error) => error.path)).toContain("tenants[0].users[0].email");
      expect(() => checkBootstrapInput({ tenantName: "T", adminEmail: address })).toThrow(/^--admin-email: /);
    }),
    { seed: 20260301, numRuns: 500 },
  );
});
