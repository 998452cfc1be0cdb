import { describe, expect, it } from 'vitest';
import { LatencyRecorder, percentileOf } from './stats.js';

describe('percentileOf (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  it.each([
    [50, 50],
    [95, 95],
    [99, 99],
    [100, 100],
    [0, 1],
    [0.5, 1],
  ])('p%s of 1..100 is %s', (p, expected) => {
    expect(percentileOf(hundred, p)).toBe(expected);
  });

  it('handles one value and none', () => {
    expect(percentileOf([7], 99)).toBe(7);
    expect(percentileOf([], 50)).toBe(0);
  });
});

describe('LatencyRecorder', () => {
  it('keeps sub-millisecond resolution', () => {
    const r = new LatencyRecorder();
    for (let i = 1; i <= 1000; i++) r.recordMs(i / 1000); // 1 µs … 1 ms
    expect(r.count).toBe(1000);
    expect(r.percentileMs(50)).toBeCloseTo(0.5, 2);
    expect(r.percentileMs(99)).toBeCloseTo(0.99, 2);
    expect(r.maxMs).toBeCloseTo(1, 2);
    expect(r.meanMs).toBeCloseTo(0.5, 2);
  });

  it('reads 0 when empty', () => {
    const r = new LatencyRecorder();
    expect([r.count, r.percentileMs(99), r.meanMs]).toEqual([0, 0, 0]);
  });
});
