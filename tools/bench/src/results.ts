import type { SpanSummary } from './otlp-receiver.js';

/** Scenario names as they appear in bench-results.json. */
export const SCENARIO = {
  echo: 'echo',
  hit: 'vend-cache-hit',
  lfHit: 'lf-vend-cache-hit',
  sharingHit: 'delta-sharing-vend-cache-hit',
  icebergHit: 'iceberg-vend-cache-hit',
  miss: 'vend-cache-miss',
  herd: 'vend-herd',
  denied: 'vend-denied',
  natsHit: 'nats-vend-cache-hit',
} as const;
export type ScenarioName = (typeof SCENARIO)[keyof typeof SCENARIO];

/** The face a scenario's requests enter by, named as VendRequest.face names it; `http` is the bare echo route (no face). */
export type BenchFace = 'http' | 'unity-catalog' | 'lake-formation' | 'delta-sharing' | 'iceberg' | 'nats';

/**
 * The cache-hit scenario of every face (the "edge overhead per face"), in report order. The
 * NATS face has no edge: it shows what is left without one.
 */
export const FACE_CACHE_HITS: readonly { face: Exclude<BenchFace, 'http'>; scenario: ScenarioName; edge: boolean }[] = [
  { face: 'unity-catalog', scenario: SCENARIO.hit, edge: true },
  { face: 'lake-formation', scenario: SCENARIO.lfHit, edge: true },
  { face: 'delta-sharing', scenario: SCENARIO.sharingHit, edge: true },
  { face: 'iceberg', scenario: SCENARIO.icebergHit, edge: true },
  { face: 'nats', scenario: SCENARIO.natsHit, edge: false },
];

/** One face's cache-hit vends against the echo baseline of the same run. */
export interface FaceRatio {
  face: Exclude<BenchFace, 'http'>;
  scenario: ScenarioName;
  rps: number;
  p99Ms: number;
  rpsToEcho: number | null;
  p99ToEcho: number | null;
}

export interface ScenarioResult {
  name: ScenarioName;
  /** One line: what was sent and what was expected back. */
  title: string;
  face: BenchFace;
  /** Connections (HTTP) or requests in flight (NATS). */
  connections: number;
  /** Responses (or replies) received. */
  requests: number;
  /** Requests sent, including any still in flight when the scenario was cut off. */
  requestsSent: number;
  durationSec: number;
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  /** Non-2xx where 2xx was expected, or any other status than 403 for denials; transport errors and timeouts. */
  errors: number;
  /** AssumeRole calls the STS emulator received during the scenario; null when it cannot be asked. */
  upstreamCalls: number | null;
  /** CPU seconds of every system process (run.json pids, plus the echo responder for echo) per 1,000 requests sent. */
  cpuSecondsPer1k: number | null;
  /** The same, per process (empty when not measured). */
  cpuSecondsPer1kByProcess: Record<string, number>;
  /** CPU seconds of the bench process itself (load generator) per 1,000 requests. */
  clientCpuSecondsPer1k: number | null;
  rpsToEcho: number | null;
  p99ToEcho: number | null;
  statusCounts: Record<string, number>;
}

export interface BenchResults {
  scenarios: ScenarioResult[];
  /** vendToEcho and p99VendToEcho are the Unity Catalog face's; `faces` has every face whose cache-hit scenario ran. */
  ratios: { vendToEcho: number | null; p99VendToEcho: number | null; faces: FaceRatio[] };
  herd: { requests: number; upstreamCalls: number | null };
}

export interface HopBreakdown {
  /** How the spans were collected (same run, or a separate pass and why). */
  how: string;
  scenario: ScenarioName;
  requests: number;
  rps: number;
  spans: SpanSummary[];
  /** Requests the exporters sent that were not OTLP JSON. */
  rejectedExports: number;
}

export interface GoalCheck {
  goal: string;
  actual: string;
  met: boolean | null;
}

export interface RunMeta {
  startedAt: string;
  finishedAt: string;
  target: string;
  quick: boolean;
  connections: number;
  durationSec: number;
  upstreamLatencyMs: number | null;
  /** Load averages include the bench's own load: compare them with the number of CPUs. */
  host: { cpus: number; cpuModel: string; loadAverage1m: number; loadAverage1mAtEnd: number; node: string; platform: string };
  notes: string[];
}

/** Everything that does not fit bench-results.json's fixed shape (bench-details.json). */
export interface BenchDetails {
  meta: RunMeta;
  goals: GoalCheck[];
  hops: HopBreakdown | null;
}

/** a / b, or null when either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  return a / b;
}

/** Fills every scenario's ratios to the echo baseline of the same run. */
export function withEchoRatios(scenarios: ScenarioResult[]): ScenarioResult[] {
  const echo = scenarios.find((s) => s.name === SCENARIO.echo);
  return scenarios.map((s) => ({ ...s, rpsToEcho: ratio(s.rps, echo?.rps), p99ToEcho: ratio(s.p99Ms, echo?.p99Ms) }));
}

export function buildResults(scenarios: ScenarioResult[]): BenchResults {
  const all = withEchoRatios(scenarios);
  const echo = all.find((s) => s.name === SCENARIO.echo);
  const hit = all.find((s) => s.name === SCENARIO.hit);
  const herd = all.find((s) => s.name === SCENARIO.herd);
  const faces = FACE_CACHE_HITS.flatMap(({ face, scenario }) => {
    const s = all.find((x) => x.name === scenario);
    return s ? [{ face, scenario, rps: s.rps, p99Ms: s.p99Ms, rpsToEcho: s.rpsToEcho, p99ToEcho: s.p99ToEcho }] : [];
  });
  return {
    scenarios: all,
    ratios: { vendToEcho: ratio(hit?.rps, echo?.rps), p99VendToEcho: ratio(hit?.p99Ms, echo?.p99Ms), faces },
    herd: { requests: herd?.requests ?? 0, upstreamCalls: herd?.upstreamCalls ?? null },
  };
}

/**
 * The goals the issue sets, read against one run (reported, never enforced): the cache-hit goals for
 * the Unity Catalog face (vendToEcho), the herd, then the same two for every other face behind the edge.
 */
export function checkGoals(results: BenchResults): GoalCheck[] {
  const { vendToEcho, p99VendToEcho } = results.ratios;
  const fmt = (x: number | null, digits = 3) => (x === null ? 'not measured' : x.toFixed(digits));
  const throughput = (x: number | null) => (x === null ? null : x >= 0.5);
  const p99 = (x: number | null) => (x === null ? null : x <= 3);
  const otherFaces = FACE_CACHE_HITS.filter((f) => f.edge && f.scenario !== SCENARIO.hit).flatMap(({ face }) => {
    const r = results.ratios.faces.find((f) => f.face === face);
    const [rps, tail] = [r?.rpsToEcho ?? null, r?.p99ToEcho ?? null];
    return [
      { goal: `${face} cache-hit throughput ≥ 50% of echo`, actual: fmt(rps), met: throughput(rps) },
      { goal: `${face} cache-hit p99 ≤ 3× echo p99`, actual: fmt(tail), met: p99(tail) },
    ];
  });
  return [
    { goal: 'cache-hit throughput ≥ 50% of echo (vendToEcho ≥ 0.50)', actual: fmt(vendToEcho), met: throughput(vendToEcho) },
    { goal: 'cache-hit p99 ≤ 3× echo p99 (p99VendToEcho ≤ 3.00)', actual: fmt(p99VendToEcho), met: p99(p99VendToEcho) },
    {
      goal: `herd of ${results.herd.requests} identical requests → exactly 1 upstream call`,
      actual: results.herd.upstreamCalls === null ? 'not measured' : String(results.herd.upstreamCalls),
      met: results.herd.upstreamCalls === null ? null : results.herd.upstreamCalls === 1,
    },
    ...otherFaces,
  ];
}
