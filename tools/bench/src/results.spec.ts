import { describe, expect, it } from 'vitest';
import { scenario } from '../test/fixtures.js';
import { buildResults, checkGoals, FACE_CACHE_HITS, ratio, SCENARIO, withEchoRatios } from './results.js';

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
    expect(results.ratios).toEqual({ vendToEcho: 0.6, p99VendToEcho: 2.5, faces: [{ face: 'unity-catalog', scenario: SCENARIO.hit, rps: 3000, p99Ms: 5, rpsToEcho: 0.6, p99ToEcho: 2.5 }] });
    expect(results.herd).toEqual({ requests: 1000, upstreamCalls: 1 });
  });

  it('reports missing scenarios as nulls, not as zeros that look measured', () => {
    const results = buildResults([hit]);
    expect(results.ratios).toEqual({ vendToEcho: null, p99VendToEcho: null, faces: [{ face: 'unity-catalog', scenario: SCENARIO.hit, rps: 3000, p99Ms: 5, rpsToEcho: null, p99ToEcho: null }] });
    expect(results.herd).toEqual({ requests: 0, upstreamCalls: null });
  });

  it('puts every face’s cache hits against echo, in face order, whatever order they ran in', () => {
    const results = buildResults([
      echo,
      scenario(SCENARIO.natsHit, { face: 'nats', rps: 2500, p99Ms: 4 }),
      scenario(SCENARIO.icebergHit, { face: 'iceberg', rps: 1000, p99Ms: 8 }),
      herd,
      scenario(SCENARIO.lfHit, { face: 'lake-formation', rps: 2000, p99Ms: 7 }),
      hit,
      scenario(SCENARIO.sharingHit, { face: 'delta-sharing', rps: 500, p99Ms: 20 }),
    ]);
    expect(results.ratios.faces.map((f) => [f.face, f.scenario, f.rpsToEcho, f.p99ToEcho])).toEqual([
      ['unity-catalog', SCENARIO.hit, 0.6, 2.5],
      ['lake-formation', SCENARIO.lfHit, 0.4, 3.5],
      ['delta-sharing', SCENARIO.sharingHit, 0.1, 10],
      ['iceberg', SCENARIO.icebergHit, 0.2, 4],
      ['nats', SCENARIO.natsHit, 0.5, 2],
    ]);
    // vendToEcho stays the Unity Catalog face's.
    expect(results.ratios.vendToEcho).toBe(0.6);
  });

  it('gives every face its own scenario name', () => {
    const names = FACE_CACHE_HITS.map((f) => f.scenario);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(FACE_CACHE_HITS.map((f) => f.face)).size).toBe(names.length);
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
    )
      .slice(0, 3)
      .map((g) => g.met);

  it('reads the same two goals for every other face behind the edge, after the first three, and not for NATS', () => {
    const goals = checkGoals(
      buildResults([
        scenario(SCENARIO.echo, { rps: 1000, p99Ms: 10 }),
        scenario(SCENARIO.hit, { rps: 500, p99Ms: 30 }),
        scenario(SCENARIO.lfHit, { face: 'lake-formation', rps: 499, p99Ms: 30 }),
        scenario(SCENARIO.sharingHit, { face: 'delta-sharing', rps: 800, p99Ms: 30.5 }),
        scenario(SCENARIO.natsHit, { face: 'nats', rps: 1, p99Ms: 1000 }),
      ]),
    );
    expect(goals.slice(3).map((g) => [g.goal, g.actual, g.met])).toEqual([
      ['lake-formation cache-hit throughput ≥ 50% of echo', '0.499', false],
      ['lake-formation cache-hit p99 ≤ 3× echo p99', '3.000', true],
      ['delta-sharing cache-hit throughput ≥ 50% of echo', '0.800', true],
      ['delta-sharing cache-hit p99 ≤ 3× echo p99', '3.050', false],
      ['iceberg cache-hit throughput ≥ 50% of echo', 'not measured', null],
      ['iceberg cache-hit p99 ≤ 3× echo p99', 'not measured', null],
    ]);
  });

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
