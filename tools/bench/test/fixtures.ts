import type { ScenarioName, ScenarioResult } from '../src/results.js';

/** A scenario result with plausible numbers; tests override what they look at. */
export function scenario(name: ScenarioName, over: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    name,
    title: `${name} title`,
    face: 'http',
    connections: 64,
    requests: 1000,
    requestsSent: 1000,
    durationSec: 1,
    rps: 1000,
    p50Ms: 1,
    p95Ms: 2,
    p99Ms: 3,
    meanMs: 1.2,
    maxMs: 9,
    errors: 0,
    upstreamCalls: 0,
    cpuSecondsPer1k: 0.5,
    cpuSecondsPer1kByProcess: {},
    clientCpuSecondsPer1k: 0.1,
    rpsToEcho: null,
    p99ToEcho: null,
    statusCounts: { 200: 1000 },
    ...over,
  };
}
