import { describe, expect, it } from 'vitest';
import { scenario } from '../test/fixtures.js';
import { buildResults, checkGoals, ratio, SCENARIO, withEchoRatios } from './results.js';

describe('ratio', () => {
  it.each([
    [10, 4, 2.5],
    [0, 4, 0],
    [3, 3, 1],
    [10, 0, null],
    [null, 4, null],
    [4, null, null],
    [undefined, 4, null],
    [Number.NaN, 4, null],
    [4, Number.POSITIVE_INFINITY, null],
  ])('%s / %s = %s', (a, b, expected) => {
    expect(ratio(a, b)).toBe(expected);
  });
});

describe('ratios to the echo baseline', () => {
  const echo = scenario(SCENARIO.echo, { rps: 5000, p99Ms: 2 });
  const hit = scenario(SCENARIO.hit, { rps: 3000, p99Ms: 5 });
  const herd = scenario(SCENARIO.herd, { requests: 1000, upstreamCalls: 1, rps: 800, p99Ms: 900 });

  it('puts every scenario against echo of the same run', () => {
    const [e, h, d] = withEchoRatios([echo, hit, herd]);
    expect([e?.rpsToEcho, e?.p99ToEcho]).toEqual([1, 1]);
    expect([h?.rpsToEcho, h?.p99ToEcho]).toEqual([0.6, 2.5]);
    expect([d?.rpsToEcho, d?.p99ToEcho]).toEqual([0.16, 450]);
  });

  it('leaves ratios empty without an echo scenario', () => {
    expect(withEchoRatios([hit]).map((s) => [s.rpsToEcho, s.p99ToEcho])).toEqual([[null, null]]);
  });

  it('builds the fixed top-level shape of bench-results.json', () => {
    const results = buildResults([echo, hit, herd]);
    expect(Object.keys(results)).toEqual(['scenarios', 'ratios', 'herd']);
    expect(results.ratios).toEqual({ vendToEcho: 0.6, p99VendToEcho: 2.5 });
    expect(results.herd).toEqual({ requests: 1000, upstreamCalls: 1 });
  });

  it('reports missing scenarios as nulls, not as zeros that look measured', () => {
    const results = buildResults([hit]);
    expect(results.ratios).toEqual({ vendToEcho: null, p99VendToEcho: null });
    expect(results.herd).toEqual({ requests: 0, upstreamCalls: null });
  });
});

describe('goals', () => {
  const run = (hitRps: number, hitP99: number, herdCalls: number | null) =>
    checkGoals(
      buildResults([
        scenario(SCENARIO.echo, { rps: 1000, p99Ms: 10 }),
        scenario(SCENARIO.hit, { rps: hitRps, p99Ms: hitP99 }),
        scenario(SCENARIO.herd, { requests: 1000, upstreamCalls: herdCalls }),
      ]),
    ).map((g) => g.met);

  it.each([
    ['all met, at the edges', 500, 30, 1, [true, true, true]],
    ['throughput just short', 499, 30, 1, [false, true, true]],
    ['p99 just over', 800, 30.1, 1, [true, false, true]],
    ['two upstream calls', 800, 5, 2, [true, true, false]],
    ['no upstream call', 800, 5, 0, [true, true, false]],
    ['herd not counted', 800, 5, null, [true, true, null]],
  ])('%s', (_case, rps, p99, calls, expected) => {
    expect(run(rps, p99, calls)).toEqual(expected);
  });
});
