import { decideAttempt, RETRY_WINDOW_MS } from './retry-policy';

const start = new Date('2026-11-24T05:00:00.000Z');
const answer = (
  status: number | null,
  errorKind: 'timeout' | 'connection' | 'private_address' | null = null,
) => ({
  status,
  errorKind,
  error: status === null ? `${errorKind} failure` : null,
  location: status === 302 ? 'https://elsewhere.example/' : null,
});

describe('retry policy (SPEC section 4)', () => {
  it('given a 2xx, when decided, then the delivery is delivered', () => {
    expect(decideAttempt(answer(204), 1, start, start)).toEqual({
      outcome: 'delivered',
      nextAttemptAt: null,
      error: null,
    });
  });

  it.each([503, 500, 408, 429])(
    'given %s, when decided, then it is retried within 30 s',
    (status) => {
      const decision = decideAttempt(answer(status), 1, start, start);
      expect(decision.outcome).toBe('retrying');
      expect(decision.nextAttemptAt!.getTime() - start.getTime()).toBeLessThanOrEqual(30_000);
      expect(decision.error).toBe(`HTTP ${status}`);
    },
  );

  it('given timeouts and connection errors, when decided, then they are retried with growing delays', () => {
    const delays = [1, 2, 3, 4].map((attempt) => {
      const kind = attempt % 2 ? 'timeout' : 'connection';
      return (
        decideAttempt(answer(null, kind), attempt, start, start).nextAttemptAt!.getTime() -
        start.getTime()
      );
    });
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(new Set(delays).size).toBe(4);
  });

  it.each([400, 401, 404, 410, 422])('given %s, when decided, then it fails at once', (status) => {
    expect(decideAttempt(answer(status), 1, start, start)).toEqual({
      outcome: 'failed',
      nextAttemptAt: null,
      error: `HTTP ${status}`,
    });
  });

  it('given a redirect or a private address, when decided, then it fails at once', () => {
    expect(decideAttempt(answer(302), 1, start, start).error).toBe(
      'HTTP 302: redirect to https://elsewhere.example/ not followed',
    );
    expect(decideAttempt(answer(null, 'private_address'), 1, start, start).outcome).toBe('failed');
  });

  it('given a failure near the end of 24 h, when decided, then it fails instead of retrying', () => {
    const late = new Date(start.getTime() + RETRY_WINDOW_MS - 1000);
    expect(decideAttempt(answer(503), 12, start, late)).toEqual({
      outcome: 'failed',
      nextAttemptAt: null,
      error: 'HTTP 503; gave up after 24 h',
    });
  });
});
