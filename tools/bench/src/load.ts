import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Progress } from './progress.js';
import { LatencyRecorder } from './stats.js';

/** What one load run measured. Latencies are recorded for every response, expected or not. */
export interface LoadStats {
  /** Responses with the expected status (or NATS replies that passed the check). */
  ok: number;
  /** Wrong status, failed check, transport error or timeout. */
  errors: number;
  /** Requests sent: more than ok + errors when a run is cut off with requests in flight. */
  sent: number;
  statusCounts: Record<string, number>;
  /** From the first request sent to the last response received. */
  elapsedMs: number;
  latency: LatencyRecorder;
}

export interface HttpLoad {
  label: string;
  url: string;
  /** POST unless given. */
  method?: 'GET' | 'POST';
  path: string;
  /** The same headers every time, or new ones per request (e.g. re-signed ones). */
  headers: Record<string, string> | (() => Record<string, string>);
  /** The same body every time, a new one per request, or none (GET). */
  body?: string | (() => string);
  connections: number;
  durationSec: number;
  /** Stop after this many requests (or at `durationSec`, whichever comes first). */
  amount?: number;
  expectStatus: number;
  timeoutSec?: number;
}

const perSecond = (count: number, ms: number) => (ms > 0 ? (count / ms) * 1000 : 0);

/**
 * autocannon's request: a static one (built once, the cheapest for the load generator) unless the
 * body or the headers change per request, in which case `setupRequest` rebuilds it each time.
 */
export function httpRequestSpec(load: Pick<HttpLoad, 'method' | 'path' | 'headers' | 'body'>): autocannon.Request {
  const { body, headers } = load;
  const base = { method: load.method ?? 'POST', path: load.path } as const;
  if (typeof body !== 'function' && typeof headers !== 'function') return { ...base, headers, ...(body !== undefined ? { body } : {}) };
  return {
    ...base,
    ...(typeof headers === 'function' ? {} : { headers }),
    ...(typeof body === 'string' ? { body } : {}),
    setupRequest: (req) => ({
      ...req,
      // A copy: autocannon adds Content-Length to the object it is given.
      ...(typeof headers === 'function' ? { headers: { ...headers() } } : {}),
      ...(typeof body === 'function' ? { body: body() } : {}),
    }),
  };
}

/** autocannon against one route, with our own microsecond histogram (autocannon's has 1 ms buckets). */
export async function runHttpLoad(load: HttpLoad, progress: Progress): Promise<LoadStats> {
  const latency = new LatencyRecorder();
  const statusCounts: Record<string, number> = {};
  let ok = 0;
  let wrong = 0;
  let last = 0;
  const requestSpec = httpRequestSpec(load);

  const started = performance.now();
  let finished: (result: autocannon.Result) => void = () => undefined;
  let failed: (error: unknown) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolveDone, reject) => {
    finished = resolveDone;
    failed = reject;
  });
  const instance = autocannon(
    {
      url: load.url,
      connections: load.connections,
      ...(load.amount !== undefined ? { amount: load.amount } : { duration: load.durationSec }),
      timeout: load.timeoutSec ?? 10,
      requests: [requestSpec],
    },
    (error, result) => (error ? failed(error) : finished(result)),
  );
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    last = performance.now();
    latency.recordMs(responseTime);
    statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
    if (statusCode === load.expectStatus) ok++;
    else wrong++;
  });
  const cap = load.amount !== undefined ? setTimeout(() => instance.stop(), load.durationSec * 1000) : undefined;
  const ticker = setInterval(() => {
    const elapsed = performance.now() - started;
    progress.live(`${load.label}: ${(elapsed / 1000).toFixed(0)}/${load.durationSec} s, ${ok + wrong} responses, ${perSecond(ok, elapsed).toFixed(0)} ok/s, ${wrong} wrong status`);
  }, 1_000);
  const result = await done.finally(() => {
    clearInterval(ticker);
    if (cap) clearTimeout(cap);
  });
  const errors = wrong + result.errors;
  return { ok, errors, sent: Math.max(ok + errors, result.requests.sent), statusCounts, elapsedMs: (last || performance.now()) - started, latency };
}

export interface Burst {
  url: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  count: number;
  expectStatus: number;
  timeoutMs?: number;
}

/** `count` identical requests, each on its own connection, all sent at once. */
export async function runBurst(burst: Burst): Promise<LoadStats> {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const target = new URL(burst.path, burst.url);
  const latency = new LatencyRecorder();
  const statusCounts: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = httpRequest(
        target,
        { method: 'POST', agent, headers: { ...burst.headers, 'content-length': Buffer.byteLength(burst.body) }, timeout: burst.timeoutMs ?? 30_000 },
        (res) => {
          res.resume();
          res.on('end', () => {
            latency.recordMs(performance.now() - t0);
            const status = res.statusCode ?? 0;
            statusCounts[status] = (statusCounts[status] ?? 0) + 1;
            if (status === burst.expectStatus) ok++;
            else errors++;
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(burst.body);
    });
  const started = performance.now();
  await Promise.all(Array.from({ length: burst.count }, one));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { ok, errors, sent: burst.count, statusCounts, elapsedMs, latency };
}

export interface NatsLoad {
  label: string;
  nc: NatsConnection;
  subject: string;
  payload: (n: number) => Uint8Array;
  /** True when the reply is what the scenario expects. */
  check: (reply: Uint8Array) => boolean;
  concurrency: number;
  durationSec: number;
  timeoutMs?: number;
}

/** `concurrency` request loops on one NATS connection until the time is up. */
export async function runNatsLoad(load: NatsLoad, progress: Progress): Promise<LoadStats> {
  const latency = new LatencyRecorder();
  const statusCounts: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  let sent = 0;
  let last = 0;
  const started = performance.now();
  const deadline = started + load.durationSec * 1000;
  const ticker = setInterval(() => {
    const elapsed = performance.now() - started;
    progress.live(`${load.label}: ${(elapsed / 1000).toFixed(0)}/${load.durationSec} s, ${ok + errors} replies, ${perSecond(ok, elapsed).toFixed(0)} ok/s, ${errors} errors`);
  }, 1_000);
  const loop = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      let outcome: string;
      try {
        const reply = await load.nc.request(load.subject, load.payload(sent++), { timeout: load.timeoutMs ?? 10_000 });
        outcome = load.check(reply.data) ? 'ok' : 'unexpected reply';
      } catch (error) {
        outcome = error instanceof Error ? error.name : 'error';
      }
      last = performance.now();
      latency.recordMs(last - t0);
      statusCounts[outcome] = (statusCounts[outcome] ?? 0) + 1;
      if (outcome === 'ok') ok++;
      else errors++;
    }
  };
  try {
    await Promise.all(Array.from({ length: load.concurrency }, loop));
  } finally {
    clearInterval(ticker);
  }
  return { ok, errors, sent: ok + errors, statusCounts, elapsedMs: (last || performance.now()) - started, latency };
}
