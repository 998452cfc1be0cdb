import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a burst, then the sustained rate, per principal', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 3, () => now);
    for (let i = 0; i < 3; i++) limiter.take('ana');
    expect(() => limiter.take('ana')).toThrow(expect.objectContaining({ code: 'RESOURCE_EXHAUSTED' }));
    limiter.take('bob');
    now += 100;
    limiter.take('ana');
    expect(() => limiter.take('ana')).toThrow(/Retry after 1 s/);
    now += 10_000;
    for (let i = 0; i < 3; i++) limiter.take('ana');
  });

  it('does nothing at rate 0, and forgets the least recently seen principals beyond its bound', () => {
    const off = new RateLimiter(0, 1, () => 0);
    for (let i = 0; i < 100; i++) off.take('ana');
    const small = new RateLimiter(1, 1, () => 0, 2);
    small.take('a');
    small.take('b');
    small.take('c');
    expect(() => small.take('a')).not.toThrow();
    expect(() => small.take('c')).toThrow();
  });
});
