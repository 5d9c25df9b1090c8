import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY, retryDelayMs } from "../../src/mail/backoff.js";

describe("retryDelayMs", () => {
  const policy = { baseMs: 1_000, capMs: 10_000, maxAttempts: 10 };

  it("doubles from the base and stops at the cap", () => {
    const upper = [1, 2, 3, 4, 5, 6, 30].map((attempt) => retryDelayMs(policy, attempt, () => 1));
    expect(upper).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
  });

  it("jitters between half and all of the exponential delay", () => {
    expect(retryDelayMs(policy, 3, () => 0)).toBe(2_000);
    expect(retryDelayMs(policy, 3, () => 0.5)).toBe(3_000);
    for (let i = 0; i < 100; i++) {
      const delay = retryDelayMs(policy, 3);
      expect(delay).toBeGreaterThanOrEqual(2_000);
      expect(delay).toBeLessThanOrEqual(4_000);
    }
  });

  it("never returns less than 1 ms", () => {
    expect(retryDelayMs({ baseMs: 0, capMs: 0, maxAttempts: 3 }, 1, () => 0)).toBe(1);
  });

  it("by default retries for hours before giving up, within an invitation's lifetime", () => {
    const retries = Array.from({ length: DEFAULT_RETRY_POLICY.maxAttempts - 1 }, (_, i) => i + 1);
    const shortest = retries.reduce(
      (sum, attempt) => sum + retryDelayMs(DEFAULT_RETRY_POLICY, attempt, () => 0),
      0,
    );
    const longest = retries.reduce(
      (sum, attempt) => sum + retryDelayMs(DEFAULT_RETRY_POLICY, attempt, () => 1),
      0,
    );
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1, () => 1)).toBeLessThanOrEqual(2_000);
    expect(shortest).toBeGreaterThan(3.5 * 3_600_000);
    expect(longest).toBeLessThan(7.1 * 3_600_000);
  });
});
