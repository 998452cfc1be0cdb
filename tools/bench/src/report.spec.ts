import { describe, expect, it } from 'vitest';
import { scenario } from '../test/fixtures.js';
import { niceMax, renderJson, renderMarkdown, renderSvg } from './report.js';
import { buildResults, checkGoals, SCENARIO, type BenchDetails } from './results.js';

const results = buildResults([
  scenario(SCENARIO.echo, { rps: 5318.34, p50Ms: 0.4567, p99Ms: 1.23456, cpuSecondsPer1kByProcess: { edge: 0.12, 'echo-responder': 0.05 } }),
  scenario(SCENARIO.hit, { face: 'unity-catalog', rps: 2660, p50Ms: 0.9, p99Ms: 3.5, cpuSecondsPer1kByProcess: { edge: 0.2, authz: 0.3 } }),
  scenario(SCENARIO.sharingHit, { face: 'delta-sharing', rps: 1234.56, p50Ms: 1.1, p99Ms: 4.56789, cpuSecondsPer1kByProcess: { edge: 0.25, authz: 0.3 } }),
  scenario(SCENARIO.herd, { connections: 1000, requests: 1000, upstreamCalls: 1, rps: 700, p50Ms: 800, p99Ms: 1200 }),
  scenario(SCENARIO.denied, { rps: 1500, statusCounts: { 403: 6000 }, upstreamCalls: null, cpuSecondsPer1k: null }),
]);
const details: BenchDetails = {
  meta: {
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    target: 'a system started by the bench (tools/launcher)',
    quick: true,
    connections: 64,
    durationSec: 4,
    upstreamLatencyMs: 50,
    host: { cpus: 2, cpuModel: 'Test CPU', loadAverage1m: 3.5, loadAverage1mAtEnd: 4.25, node: 'v20.20.0', platform: 'linux x64' },
    notes: ['a note'],
  },
  goals: checkGoals(results),
  hops: {
    how: 'A separate pass.',
    scenario: SCENARIO.hit,
    requests: 2000,
    rps: 500,
    spans: [{ service: 'lakegate-edge', name: 'GenerateTemporaryVolumeCredentials', count: 10, meanMs: 2.5, p50Ms: 2, p95Ms: 4 }],
    rejectedExports: 0,
  },
};

describe('renderJson', () => {
  const parsed = JSON.parse(renderJson(results)) as Record<string, unknown> & { scenarios: Record<string, unknown>[] };

  it('has exactly scenarios, ratios and herd, with the required scenario fields', () => {
    expect(Object.keys(parsed)).toEqual(['scenarios', 'ratios', 'herd']);
    for (const s of parsed.scenarios) {
      for (const key of ['name', 'rps', 'p50Ms', 'p95Ms', 'p99Ms', 'errors', 'upstreamCalls']) expect(s).toHaveProperty(key);
    }
    expect(parsed['herd']).toEqual({ requests: 1000, upstreamCalls: 1 });
  });

  it('rounds to what was measured and keeps nulls', () => {
    expect(parsed.scenarios[0]).toMatchObject({ rps: 5318.3, p50Ms: 0.457, p99Ms: 1.235 });
    expect(parsed.scenarios[4]).toMatchObject({ upstreamCalls: null, cpuSecondsPer1k: null });
    expect(parsed['ratios']).toEqual({
      vendToEcho: 0.5,
      p99VendToEcho: 2.835,
      faces: [
        { face: 'unity-catalog', scenario: SCENARIO.hit, rps: 2660, p99Ms: 3.5, rpsToEcho: 0.5, p99ToEcho: 2.835 },
        { face: 'delta-sharing', scenario: SCENARIO.sharingHit, rps: 1234.6, p99Ms: 4.568, rpsToEcho: 0.232, p99ToEcho: 3.7 },
      ],
    });
  });
});

describe('renderMarkdown', () => {
  const md = renderMarkdown(results, details);

  it('has one table row per scenario, with em dashes for what was not measured', () => {
    const rows = md.split('\n').filter((l) => /^\| [a-z-]+ \| (http|nats|unity-catalog|delta-sharing) \| \d+ \|/.test(l));
    expect(rows).toHaveLength(5);
    expect(rows[0]).toContain('| echo | http | 64 | 1,000 | 5,318 | 0.46 |');
    expect(rows[2]).toContain('| delta-sharing-vend-cache-hit | delta-sharing | 64 | 1,000 | 1,235 | 1.10 |');
    expect(rows[4]).toMatch(/\| vend-denied \|.*\| — \| — \|/);
  });

  it('sets the cache hits of every face against echo in a table of their own', () => {
    const section = md.slice(md.indexOf('### Cache-hit vends per face, against echo'));
    expect(section).toContain('Echo (the same HTTP stack and NATS hop, no face): 5,318 req/s, p99 1.23 ms.');
    expect(section).toContain('| unity-catalog | vend-cache-hit | 2,660 | 3.50 | 0.50 | 2.84 |');
    expect(section).toContain('| delta-sharing | delta-sharing-vend-cache-hit | 1,235 | 4.57 | 0.23 | 3.70 |');
    expect(section.indexOf('unity-catalog |')).toBeLessThan(section.indexOf('delta-sharing |'));
    expect(md).toContain('| delta-sharing cache-hit p99 ≤ 3× echo p99 | 3.700 | ❌ not met |');
  });

  it('lists the goals with their verdicts, CPU by process, the per-hop table and the notes', () => {
    expect(md).toContain('| cache-hit throughput ≥ 50% of echo (vendToEcho ≥ 0.50) | 0.500 | ✅ met |');
    expect(md).toContain('| cache-hit p99 ≤ 3× echo p99 (p99VendToEcho ≤ 3.00) | 2.835 | ✅ met |');
    expect(md).toContain('| herd of 1000 identical requests → exactly 1 upstream call | 1 | ✅ met |');
    expect(md).toContain('| authz | — | 0.300 | 0.300 | — | — |');
    expect(md).toContain('| **system total** | **0.500** | **0.500** | **0.500** | **0.500** | **—** |');
    expect(md).toContain('load average 3.50 at start and 4.25 at the end');
    expect(md).toContain('| lakegate-edge | `GenerateTemporaryVolumeCredentials` | 10 | 2.500 | 2.000 | 4.000 |');
    expect(md).toContain('* a note');
  });

  it('leaves out the per-hop section when there is none', () => {
    expect(renderMarkdown(results, { ...details, hops: null })).not.toContain('## Per hop');
  });
});

describe('renderSvg', () => {
  const svg = renderSvg(results.scenarios);

  it('is one svg element with a bar per scenario for throughput and two for latency', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    const bars = svg.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="(18|11)"/g) ?? [];
    expect(bars).toHaveLength(results.scenarios.length * 3);
    expect(svg).toContain('goal: 50% of echo');
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('leaves room for the longest scenario name', () => {
    const labelX = (svgText: string) => Math.min(...[...svgText.matchAll(/<text x="([\d.-]+)" y="[\d.]+" text-anchor="end">/g)].map((m) => Number(m[1])));
    const x = labelX(svg);
    // ~7 px per character, right-aligned at x: the longest name must start at or right of 0.
    expect(x - 7 * SCENARIO.sharingHit.length).toBeGreaterThanOrEqual(0);
    expect(labelX(renderSvg([scenario(SCENARIO.echo)]))).toBe(162);
  });

  it('escapes names and survives zeros', () => {
    const odd = renderSvg([scenario(SCENARIO.echo), scenario('<b>&"' as never, { rps: 0, p50Ms: 0, p99Ms: 0 })]);
    expect(odd).toContain('&lt;b&gt;&amp;&quot;');
    expect(odd).not.toMatch(/NaN|undefined|Infinity/);
  });
});

describe('niceMax', () => {
  it.each([
    [0.7, 1],
    [1, 1],
    [1.2, 2],
    [3, 5],
    [5318, 10000],
    [4800, 5000],
    [0, 1],
    [-3, 1],
  ])('%s → %s', (x, expected) => {
    expect(niceMax(x)).toBe(expected);
  });
});
