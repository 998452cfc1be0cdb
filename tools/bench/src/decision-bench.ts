#!/usr/bin/env node
/**
 * Benchmarks of the catalog side (issue: catalog and authorization):
 *   1. in-process decision latency (decideVolumeAccess) with 1k → 1M grants in the view: p50 should
 *      stay ≤ 20 µs and flat within ±25%;
 *   2. how soon a grant written to the catalog KV is visible in another process's watch-fed view
 *      (the path an admin change takes to authz), over a real nats-server: p99 goal ≤ 100 ms.
 * Prints JSON; `--out <file>` also writes it. `--max-grants` caps the largest size (default 1,000,000),
 * `--decisions` sets the timed decisions per access pattern and size (default 50,000),
 * `--working-set` the hot volumes (default 1,000), `--skip-visibility` skips part 2.
 *
 * Each size is decided under two access patterns, in alternating rounds so that noise from the
 * rest of the machine falls on both alike:
 *   - hot: a fixed working set of `--working-set` volumes spread evenly over the catalog, in
 *     pseudo-random order. The same kind of access at every size (at 1k it is every volume), which is
 *     what flatness means: does the cost of a decision depend on how many grants the view holds?
 *     A deployment decides for the tables and volumes in use, not for a fresh one every time.
 *   - uniform: pseudo-random over every volume. At 1M nearly every decision is for a volume not
 *     decided recently, so it measures memory latency (cache and TLB misses) as much as the code:
 *     the worst case, reported beside the goal, not instead of it.
 * Before timing, each size gets a warm-up (JIT tier-up, the decision path's memos) and a full GC, so
 * a pass does not pay for marking the heap the catalog load just built: a long-running authz
 * loaded its catalog long ago. GC during each pass is reported. Besides wall time per decision, the
 * CPU time per decision (process CPU over the pass ÷ decisions) is reported: on a shared machine
 * it is not inflated by the process waiting for a core.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CATALOG_KEYS } from '@lakegate/contracts';
import { applyCatalogEntry, decideVolumeAccess, emptyCatalogState, type CatalogState } from '@lakegate/domain';
import { CatalogView, CatalogWriter, openCatalogKv } from '@lakegate/catalog-store';
import { connectNats } from '@lakegate/platform-nats';
import { createLogger } from '@lakegate/telemetry';

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

function catalogWith(grants: number): { state: CatalogState; volumeIds: string[] } {
  const state = emptyCatalogState();
  let rev = 0;
  const put = (key: string, value: unknown) => applyCatalogEntry(state, key, enc(value), ++rev);
  put(CATALOG_KEYS.metastore, { metastore_id: 'm', name: 'm', region: 'us-east-1', cloud: 'aws', aws_account_id: '000000000000', external_access_enabled: true });
  put(CATALOG_KEYS.storageCredential('c'), { name: 'c', owner: 'admin', aws_iam_role: { role_arn: 'arn:aws:iam::000000000000:role/r' } });
  put(CATALOG_KEYS.externalLocation('l'), { name: 'l', url: 's3://lake', credential_name: 'c', owner: 'admin' });
  put(CATALOG_KEYS.catalog('cat'), { name: 'cat', owner: 'admin', created_at: 0 });
  put(CATALOG_KEYS.schema('cat.s'), { catalog_name: 'cat', name: 's', full_name: 'cat.s', owner: 'admin', created_at: 0 });
  put(CATALOG_KEYS.grants('catalog', 'cat'), { securable_type: 'catalog', securable_name: 'cat', privilege_assignments: [{ principal: 'account users', privileges: ['USE CATALOG'] }] });
  put(CATALOG_KEYS.grants('schema', 'cat.s'), { securable_type: 'schema', securable_name: 'cat.s', privilege_assignments: [{ principal: 'account users', privileges: ['USE SCHEMA', 'EXTERNAL USE SCHEMA'] }] });
  put(CATALOG_KEYS.principal('ana'), { name: 'ana', type: 'USER', member_of: ['g1'] });
  put(CATALOG_KEYS.principal('g1'), { name: 'g1', type: 'GROUP' });
  const volumeIds: string[] = [];
  // One volume per grant; each volume's grant list names 4 principals, the last one ana's group.
  for (let i = 0; i < grants; i++) {
    const id = `v${i}`;
    const full = `cat.s.vol${i}`;
    put(CATALOG_KEYS.volume(id), { volume_id: id, catalog_name: 'cat', schema_name: 's', name: `vol${i}`, full_name: full, volume_type: 'EXTERNAL', storage_location: `s3://lake/v/${i}`, owner: 'admin', created_at: 0 });
    put(CATALOG_KEYS.grants('volume', full), {
      securable_type: 'volume',
      securable_name: full,
      privilege_assignments: [
        { principal: `u${i}a`, privileges: ['READ VOLUME'] },
        { principal: `u${i}b`, privileges: ['WRITE VOLUME'] },
        { principal: `u${i}c`, privileges: ['READ VOLUME'] },
        { principal: 'g1', privileges: ['READ VOLUME'] },
      ],
    });
    volumeIds.push(id);
  }
  return { state, volumeIds };
}

/** A full GC, where the runtime allows one (`gc` exposed after start-up); undefined otherwise. */
const fullGc = ((): (() => void) | undefined => {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
})();

/** GC pauses, as the runtime reports them (delivered asynchronously: read after a turn of the event loop). */
const gcEntries: PerformanceEntry[] = [];
const gcObserver = new PerformanceObserver((list) => gcEntries.push(...list.getEntries()));
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

/**
 * Waits until the process is idle (< 5% of a core over 100 ms, at most 5 s): after a full GC of a
 * large heap, sweeping goes on in background threads and would count in the CPU per decision.
 */
async function quiet(): Promise<void> {
  for (let waited = 0; waited < 5_000; waited += 100) {
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const used = process.cpuUsage(before);
    if (used.user + used.system < 5_000) return;
  }
}

/** Deterministic pseudo-random picks from a list (LCG), the same sequence in every run. */
function pseudoRandom(seed: number, from: readonly string[]): (count: number) => string[] {
  let x = seed >>> 0;
  return (count) => {
    const out: string[] = [];
    while (out.length < count) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      const picked = from[Math.floor((x / 2 ** 32) * from.length)];
      if (picked !== undefined) out.push(picked);
    }
    return out;
  };
}

interface Pass {
  samples: number[];
  cpuUs: number;
  wallMs: number;
  windows: [number, number][];
  allowed: number;
}

function timedDecisions(state: CatalogState, ids: readonly string[], pass: Pass): void {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (const volumeId of ids) {
    const t0 = performance.now();
    const d = decideVolumeAccess(state, { principal: 'ana', volumeId, access: 'read' });
    pass.samples.push(performance.now() - t0);
    if (d.allow) pass.allowed++;
  }
  const end = performance.now();
  const cpu = process.cpuUsage(cpu0);
  pass.cpuUs += cpu.user + cpu.system;
  pass.wallMs += end - start;
  pass.windows.push([start, end]);
}

function summarise(pass: Pass) {
  const sorted = [...pass.samples].sort((a, b) => a - b);
  const gcs = gcEntries.filter((e) => pass.windows.some(([a, b]) => e.startTime >= a && e.startTime <= b));
  const us = (ms: number) => Math.round(ms * 10_000) / 10;
  return {
    decisions: sorted.length,
    allowed: pass.allowed,
    p50Us: us(percentile(sorted, 50)),
    p90Us: us(percentile(sorted, 90)),
    p99Us: us(percentile(sorted, 99)),
    meanUs: us(pass.wallMs / sorted.length),
    cpuPerDecisionUs: Math.round((pass.cpuUs / sorted.length) * 10) / 10,
    gc: { count: gcs.length, totalMs: Math.round(gcs.reduce((t, e) => t + e.duration, 0) * 10) / 10, maxMs: Math.round(Math.max(0, ...gcs.map((e) => e.duration)) * 10) / 10 },
  };
}

async function decisionLatency(grants: number, options: { decisions: number; workingSet: number; rounds: number }) {
  const built = performance.now();
  const { state, volumeIds } = catalogWith(grants);
  const buildS = Math.round(performance.now() - built) / 1000;
  const size = Math.min(options.workingSet, grants);
  const stride = Math.floor(grants / size);
  const hotSet = volumeIds.filter((_, i) => i % stride === 0).slice(0, size);
  const hotPick = pseudoRandom(1, hotSet);
  const anyPick = pseudoRandom(2, volumeIds);
  // Warm-up: tier-up of the decision path and its memos, on the hot set; then collect what the load left.
  for (const volumeId of pseudoRandom(3, hotSet)(20_000)) decideVolumeAccess(state, { principal: 'ana', volumeId, access: 'read' });
  fullGc?.();
  await quiet();
  const hot: Pass = { samples: [], cpuUs: 0, wallMs: 0, windows: [], allowed: 0 };
  const uniform: Pass = { samples: [], cpuUs: 0, wallMs: 0, windows: [], allowed: 0 };
  const perRound = Math.ceil(options.decisions / options.rounds);
  for (let round = 0; round < options.rounds; round++) {
    // The hot set is in use all the time; the uniform pass before this one is not. One untimed
    // decision per hot volume, so that pass has not left the hot set out of the memos and caches.
    for (const volumeId of hotSet) decideVolumeAccess(state, { principal: 'ana', volumeId, access: 'read' });
    timedDecisions(state, hotPick(perRound), hot);
    timedDecisions(state, anyPick(perRound), uniform);
  }
  await nextTurn();
  const heapMB = Math.round(process.memoryUsage().heapUsed / 1e6);
  const result = { grants, workingSet: size, buildS, heapMB, hot: summarise(hot), uniform: summarise(uniform) };
  gcEntries.length = 0;
  return result;
}

const spread = (values: number[]) => ({
  min: Math.min(...values),
  max: Math.max(...values),
  spreadPercent: Math.round(((Math.max(...values) - Math.min(...values)) / Math.min(...values)) * 1000) / 10,
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });

async function grantVisibility(changes: number) {
  const dir = await mkdtemp(join(tmpdir(), 'lakegate-bench-nats-'));
  const port = await freePort();
  const server = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
  const logger = createLogger({ service: 'bench', level: 'silent' });
  try {
    let nc;
    for (let i = 0; ; i++) {
      try {
        nc = await connectNats({ servers: `nats://127.0.0.1:${port}`, name: 'writer' }, logger);
        break;
      } catch (error) {
        if (i > 100) throw error;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const readerNc = await connectNats({ servers: `nats://127.0.0.1:${port}`, name: 'reader' }, logger);
    const writer = new CatalogWriter(nc, await openCatalogKv(nc));
    const view = await CatalogView.start(readerNc, logger);
    const delays: number[] = [];
    for (let i = 0; i < changes; i++) {
      const t0 = performance.now();
      const revision = await writer.upsert(CATALOG_KEYS.grants('volume', `cat.s.v${i % 50}`), {
        securable_type: 'volume',
        securable_name: `cat.s.v${i % 50}`,
        privilege_assignments: [{ principal: `p${i}`, privileges: ['READ VOLUME'] }],
      });
      const written = performance.now();
      await view.waitFor(revision, 5_000);
      delays.push(performance.now() - written);
      if (i === 0) void t0;
    }
    view.close();
    await readerNc.close();
    await nc.close();
    delays.sort((a, b) => a - b);
    return { changes, p50Ms: percentile(delays, 50), p99Ms: percentile(delays, 99), maxMs: delays[delays.length - 1] };
  } finally {
    server.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      'max-grants': { type: 'string' },
      decisions: { type: 'string' },
      'working-set': { type: 'string' },
      'skip-visibility': { type: 'boolean' },
    },
  });
  const load = () => loadavg().map((l) => Math.round(l * 100) / 100);
  const loadStart = load();
  const max = Number(values['max-grants'] ?? 1_000_000);
  const options = { decisions: Number(values.decisions ?? 50_000), workingSet: Number(values['working-set'] ?? 1_000), rounds: 5 };
  const sizes = [1_000, 10_000, 100_000, 1_000_000].filter((n) => n <= max);
  gcObserver.observe({ entryTypes: ['gc'] });
  const decisions = [];
  for (const n of sizes) decisions.push(await decisionLatency(n, options));
  gcObserver.disconnect();
  const goals = { decisionP50Us: 20, flatWithinPercent: 25, grantVisibleP99Ms: 100 };
  const flatness = {
    hotP50Us: spread(decisions.map((d) => d.hot.p50Us)),
    hotCpuPerDecisionUs: spread(decisions.map((d) => d.hot.cpuPerDecisionUs)),
    uniformP50Us: spread(decisions.map((d) => d.uniform.p50Us)),
  };
  const visibility = values['skip-visibility'] ? undefined : await grantVisibility(500);
  const summary = {
    host: { node: process.version, fullGcBeforeTiming: fullGc !== undefined, loadAverage: { start: loadStart, end: load() } },
    options,
    decisions,
    flatness,
    grantVisibility: visibility,
    goals,
    verdicts: {
      decisionP50: Math.max(...decisions.map((d) => d.hot.p50Us)) <= goals.decisionP50Us,
      flatHot: flatness.hotP50Us.spreadPercent <= goals.flatWithinPercent,
      flatUniform: flatness.uniformP50Us.spreadPercent <= goals.flatWithinPercent,
      grantVisible: visibility ? visibility.p99Ms <= goals.grantVisibleP99Ms : undefined,
    },
  };
  const text = JSON.stringify(summary, null, 2);
  process.stdout.write(`${text}\n`);
  if (values.out) await writeFile(values.out, `${text}\n`);
}

void main();
