/** How often and how long a temporarily failing email is retried. */
export interface RetryPolicy {
  /** Delay before the first retry; each later one doubles it. */
  readonly baseMs: number;
  /** No delay exceeds this. */
  readonly capMs: number;
  /** Attempts in all, the first included; a temporary failure on the last one gives up. */
  readonly maxAttempts: number;
}

/**
 * 2 s, 4 s, 8 s ... capped at 30 min, 24 attempts: 3.5 to 7 hours of retries (depending on jitter), far less than an
 * invitation's lifetime, so a mail server that is down for an afternoon loses nothing.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 2_000, capMs: 30 * 60_000, maxAttempts: 24 };

/**
 * The delay after failed attempt number `attempt` (1-based): exponential and capped, with "equal jitter"
 * (half fixed, half random) so a recovering mail server is not hit by every waiting email at the same instant.
 * Never below 1 ms, so a retry is never due in the pass that failed it.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.ceil(exponential / 2 + (random() * exponential) / 2));
}
