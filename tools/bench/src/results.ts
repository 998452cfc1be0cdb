import type { SpanSummary } from './otlp-receiver.js';

/** Scenario names as they appear in bench-results.json. */
export const SCENARIO = {
  echo: 'echo',
  hit: 'vend-cache-hit',
  miss: 'vend-cache-miss',
  herd: 'vend-herd',
  denied: 'vend-denied',
  natsHit: 'nats-vend-cache-hit',
} as const;
export type ScenarioName = (typeof SCENARIO)[keyof typeof SCENARIO];

export interface ScenarioResult {
  name: ScenarioName;
  /** One line: what was sent and what was expected back. */
  title: string;
  face: 'http' | 'nats';
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
  ratios: { vendToEcho: number | null; p99VendToEcho: number | null };
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
  return {
    scenarios: all,
    ratios: { vendToEcho: ratio(hit?.rps, echo?.rps), p99VendToEcho: ratio(hit?.p99Ms, echo?.p99Ms) },
    herd: { requests: herd?.requests ?? 0, upstreamCalls: herd?.upstreamCalls ?? null },
  };
}

/** The goals the issue sets, read against one run (reported, never enforced). */
export function checkGoals(results: BenchResults): GoalCheck[] {
  const { vendToEcho, p99VendToEcho } = results.ratios;
  const fmt = (x: number | null, digits = 3) => (x === null ? 'not measured' : x.toFixed(digits));
  return [
    { goal: 'cache-hit throughput ≥ 50% of echo (vendToEcho ≥ 0.50)', actual: fmt(vendToEcho), met: vendToEcho === null ? null : vendToEcho >= 0.5 },
    { goal: 'cache-hit p99 ≤ 3× echo p99 (p99VendToEcho ≤ 3.00)', actual: fmt(p99VendToEcho), met: p99VendToEcho === null ? null : p99VendToEcho <= 3 },
    {
      goal: `herd of ${results.herd.requests} identical requests → exactly 1 upstream call`,
      actual: results.herd.upstreamCalls === null ? 'not measured' : String(results.herd.upstreamCalls),
      met: results.herd.upstreamCalls === null ? null : results.herd.upstreamCalls === 1,
    },
  ];
}
