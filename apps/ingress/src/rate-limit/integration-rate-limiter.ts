import { Injectable } from '@nestjs/common';

interface Bucket {
  rate: number;
  tokens: number;
  refilledAt: number;
}

/** The bucket's tokens at `now`: refilled at its rate since the last take, up to one second's worth. */
function refilled(bucket: Bucket, now: number): number {
  const capacity = Math.max(1, bucket.rate);
  return Math.min(capacity, bucket.tokens + ((now - bucket.refilledAt) / 1000) * bucket.rate);
}

/**
 * Token bucket per integration (`rateLimitPerSecond` of its snapshot): up to one second's
 * worth of burst, then the configured rate. In memory: each ingress replica limits alone.
 */
@Injectable()
export class IntegrationRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** False when the integration is over its limit; null or undefined means unlimited. */
  tryAcquire(integrationId: string, rate: number | null | undefined, now = Date.now()): boolean {
    if (!rate) return true;
    const capacity = Math.max(1, rate);
    let bucket = this.buckets.get(integrationId);
    if (!bucket || bucket.rate !== rate) {
      bucket = { rate, tokens: capacity, refilledAt: now };
      this.buckets.set(integrationId, bucket);
    }
    bucket.tokens = refilled(bucket, now);
    bucket.refilledAt = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /**
   * Seconds until the integration's next postback would be taken (after a refused one), for the
   * 429's `Retry-After`; 0 when it would be taken now or the integration is not limited.
   */
  retryAfterSeconds(integrationId: string, now = Date.now()): number {
    const bucket = this.buckets.get(integrationId);
    if (!bucket) return 0;
    const tokens = refilled(bucket, now);
    return tokens >= 1 ? 0 : (1 - tokens) / bucket.rate;
  }
}
