import { expect } from "vitest";
import { leakIn, stringsIn } from "./hostile.js";

/** The counts that may change without any success: refusals are audited. */
export function withoutAudit(counts: Record<string, number>): Record<string, number> {
  const { audit_events: _audited, ...rest } = counts;
  return rest;
}

/** What every answer to hostile input must be: no 5xx, parseable JSON, and nothing of our insides. */
export function expectCleanAnswer(
  answer: { status: number; contentType: string | null; body: string },
  sent: unknown,
): void {
  expect(answer.status, answer.body.slice(0, 500)).toBeLessThan(500);
  expect(answer.contentType).toMatch(/^application\/(graphql-response\+)?json/);
  expect(() => JSON.parse(answer.body)).not.toThrow();
  expect(leakIn(answer.body, stringsIn(sent)), answer.body.slice(0, 500)).toBeNull();
}
