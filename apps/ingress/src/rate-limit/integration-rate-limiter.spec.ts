import { IntegrationRateLimiter } from './integration-rate-limiter';

describe('IntegrationRateLimiter', () => {
  it('never limits an integration without a configured rate', () => {
    const limiter = new IntegrationRateLimiter();
    for (let i = 0; i < 1000; i++) expect(limiter.tryAcquire('a', null, 0)).toBe(true);
  });

  it('allows one second of burst, then the configured rate', () => {
    const limiter = new IntegrationRateLimiter();
    const results = Array.from({ length: 7 }, () => limiter.tryAcquire('a', 5, 1000));
    expect(results).toEqual([true, true, true, true, true, false, false]);
    expect(limiter.tryAcquire('a', 5, 1200)).toBe(true); // 200 ms refill one token at 5/s
    expect(limiter.tryAcquire('a', 5, 1200)).toBe(false);
    expect(limiter.tryAcquire('b', 5, 1200)).toBe(true); // buckets are per integration
  });

  it('given a refused postback, then it says how long until the next one is taken', () => {
    const limiter = new IntegrationRateLimiter();
    for (let i = 0; i < 2; i++) limiter.tryAcquire('a', 2, 1000);
    expect(limiter.tryAcquire('a', 2, 1000)).toBe(false);
    // Empty at 2/s: the next token comes in 0.5 s.
    expect(limiter.retryAfterSeconds('a', 1000)).toBeCloseTo(0.5);
    expect(limiter.retryAfterSeconds('a', 1250)).toBeCloseTo(0.25);
    expect(limiter.retryAfterSeconds('a', 1500)).toBe(0);
    expect(limiter.retryAfterSeconds('never-limited', 1000)).toBe(0);
  });
});
