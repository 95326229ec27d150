import type { DeliveryOutcome } from '@tracker/contracts';
import type { SendResult } from '@tracker/destinations';

/**
 * Waits after the 1st, 2nd, … failed attempt (SPEC section 4: growing, the first within 30 s);
 * the last one repeats until the 24 h window ends.
 */
export const RETRY_DELAYS_MS: readonly number[] = [
  5_000,
  30_000,
  2 * 60_000,
  10 * 60_000,
  30 * 60_000,
  60 * 60_000,
  2 * 60 * 60_000,
  4 * 60 * 60_000,
];
/** How long a delivery is retried, from its first attempt (or a manual retry). */
export const RETRY_WINDOW_MS = 24 * 60 * 60_000;

export interface AttemptDecision {
  outcome: DeliveryOutcome;
  /** When the next attempt is due (`retrying` only). */
  nextAttemptAt: Date | null;
  /** Why it did not succeed, or null when delivered. */
  error: string | null;
}

/** Answers and failures another attempt may cure: 5xx, 408, 429, timeouts, connection errors. */
export function isRetriable(result: Pick<SendResult, 'status' | 'errorKind'>): boolean {
  if (result.status === null)
    return result.errorKind === 'timeout' || result.errorKind === 'connection';
  return result.status >= 500 || result.status === 408 || result.status === 429;
}

/**
 * What one attempt's result means (SPEC section 4): 2xx is `delivered`; 5xx, 408, 429, timeouts
 * and connection errors are `retrying` with a growing delay while the next attempt still falls
 * within 24 h of `windowStartedAt`, else `failed`; a 3xx (redirects are not followed), any other
 * 4xx, a private address or an unsendable request are `failed` at once.
 *
 * @param attempt the attempt just made, 1-based
 */
export function decideAttempt(
  result: Pick<SendResult, 'status' | 'errorKind' | 'error' | 'location'>,
  attempt: number,
  windowStartedAt: Date,
  now: Date,
): AttemptDecision {
  if (result.status !== null && result.status >= 200 && result.status < 300) {
    return { outcome: 'delivered', nextAttemptAt: null, error: null };
  }
  const error = describeFailure(result);
  if (!isRetriable(result)) return { outcome: 'failed', nextAttemptAt: null, error };
  const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length) - 1];
  const next = new Date(now.getTime() + delay);
  if (next.getTime() - windowStartedAt.getTime() > RETRY_WINDOW_MS) {
    return { outcome: 'failed', nextAttemptAt: null, error: `${error}; gave up after 24 h` };
  }
  return { outcome: 'retrying', nextAttemptAt: next, error };
}

function describeFailure(result: Pick<SendResult, 'status' | 'error' | 'location'>): string {
  if (result.status === null) return result.error ?? 'no answer';
  if (result.status >= 300 && result.status < 400) {
    return `HTTP ${result.status}: redirect${result.location ? ` to ${result.location}` : ''} not followed`;
  }
  return `HTTP ${result.status}`;
}
