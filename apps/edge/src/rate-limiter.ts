import { LakegateError } from '@lakegate/contracts';

/**
 * A token bucket per principal: `ratePerSecond` sustained, `burst` at once. A refused call is
 * RESOURCE_EXHAUSTED with the seconds to wait, which each face turns into its own 429.
 * Bounded: the least recently seen principals are forgotten beyond `maxPrincipals`.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly clock: () => number,
    private readonly maxPrincipals = 100_000,
  ) {}

  take(principal: string): void {
    if (this.ratePerSecond <= 0) return;
    const now = this.clock();
    const bucket = this.buckets.get(principal) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond);
    bucket.at = now;
    this.buckets.delete(principal);
    this.buckets.set(principal, bucket);
    if (this.buckets.size > this.maxPrincipals) this.buckets.delete(this.buckets.keys().next().value as string);
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond));
      throw new LakegateError('RESOURCE_EXHAUSTED', `Too many requests for '${principal}': at most ${this.ratePerSecond} per second. Retry after ${retryAfter} s.`, {
        details: { retryAfterSeconds: retryAfter },
      });
    }
    bucket.tokens -= 1;
  }
}
