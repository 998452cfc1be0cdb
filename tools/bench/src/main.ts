#!/usr/bin/env node
/**
 * `npm run bench`: starts lakegate with a generated catalog (or targets a running one), runs the
 * scenarios of the performance issue and writes bench-results.{json,md,svg} and bench-details.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { stringify } from 'yaml';
import { CpuMeter } from './cpu.js';
import { prepareFaces } from './faces.js';
import { OtlpReceiver, summarizeSpans } from './otlp-receiver.js';
import { Progress } from './progress.js';
import { writeReports } from './report.js';
import { buildResults, checkGoals, SCENARIO, type BenchDetails, type HopBreakdown, type ScenarioResult } from './results.js';
import { ScenarioRunner, type Measured, type ScenarioSettings, type Target, type VolumeIds } from './scenarios.js';
import { allVolumeNames, benchSeed, benchVolumeNames, type SeedSizes } from './seed.js';
import { readLocalToken, readRunInfo, resolveVolumeIds, startEchoResponder, startSystem, type EchoResponder, type RunningSystem } from './system.js';

const USAGE = `Usage: npm run bench -- [options]      (or: node tools/bench/dist/main.js [options])

Starts lakegate (tools/launcher) on free ports with a generated catalog, its own STS emulator and
the echo route on, then runs: echo baseline, cache-hit vends on every face (Unity Catalog, Lake
Formation with SigV4, Delta Sharing as a recipient, Iceberg REST), cache-miss vends, a herd of
identical requests, denials, and cache-hit vends over NATS. Progress goes to stderr; results to --out.

Options:
  --quick                     whole run in about a minute (shorter scenarios, fewer volumes)
  --connections <n>           HTTP connections / NATS requests in flight (default 64)
  --duration <s>              seconds per timed scenario (default 10, --quick 3)
  --upstream-latency-ms <ms>  emulated STS latency for cache misses and the herd (default 50)
  --miss-requests <n>         cache-miss requests, one fresh volume each (default 5000, --quick 600)
  --herd <n>                  identical requests in the herd (default 1000)
  --out <dir>                 where to write the results (default bench-results/)
  --skip-hops                 skip the per-hop pass (a second, traced start of the system)
  --keep-data                 keep the temporary data directory (logs, audit store) and say where
  --write-seed <file>         write the bench catalog (YAML, for LAKEGATE_SEED_FILE) and exit
  -h, --help                  this text

Against a system that is already running (npm start with LAKEGATE_SEED_FILE=<the --write-seed file>
and LAKEGATE_BENCH_ECHO=true; see docs/performance.md):
  --run-json <file>           <data dir>/run.json of that system: its url, NATS and STS urls and pids;
                              the tokens are read from demo-token and admin-token beside it
  --url <edge url>            the edge (instead of, or overriding, --run-json)
  --nats-url <url>            its NATS server (needed for the echo responder and the NATS scenario)
  --sts-url <url>             its STS emulator (to count upstream calls; otherwise reported as null)
  --token <token>             the bench principal's ("demo") bearer token
  --admin-token <token>       the metastore admin's token (principal "admin"): looks up volume ids and
                              creates the Delta Sharing share and recipient (default: --token, which
                              cannot see the volumes it is denied nor create shares)
  --otlp-port <port>          listen for OTLP/HTTP JSON traces on this port during the run (start the
                              system with LAKEGATE_OTLP_TRACES_URL=http://127.0.0.1:<port>/v1/traces)
Without --run-json, CPU per request is not measured (the pids are unknown). Each run uses up the
cache-miss and herd volumes: restart the system (or wait out the credential cache) before the next.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parseCli() {
  try {
    return parseArgs({
      options: {
        quick: { type: 'boolean' },
        connections: { type: 'string' },
        duration: { type: 'string' },
        'upstream-latency-ms': { type: 'string' },
        'miss-requests': { type: 'string' },
        herd: { type: 'string' },
        out: { type: 'string' },
        'skip-hops': { type: 'boolean' },
        'keep-data': { type: 'boolean' },
        'write-seed': { type: 'string' },
        'run-json': { type: 'string' },
        url: { type: 'string' },
        'nats-url': { type: 'string' },
        'sts-url': { type: 'string' },
        token: { type: 'string' },
        'admin-token': { type: 'string' },
        'otlp-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

function integer(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

const args = parseCli();
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const quick = args.quick ?? false;
const connections = integer('connections', args.connections, 64);
const settings: ScenarioSettings = {
  connections,
  durationSec: integer('duration', args.duration, quick ? 3 : 10),
  warmupSec: quick ? 1 : 3,
  herdSize: integer('herd', args.herd, 1000),
  settleMaxMs: quick ? 3_000 : 15_000,
};
const upstreamLatencyMs = integer('upstream-latency-ms', args['upstream-latency-ms'], 50, 0);
const missRequests = integer('miss-requests', args['miss-requests'], quick ? 600 : 5000);
// One warm-up volume per connection, and a margin of cache-miss volumes so that no miss ever repeats a volume.
const sizes: SeedSizes = { warmVolumes: connections, missVolumes: missRequests + connections, deniedVolumes: 32 };
const volumeNames = benchVolumeNames(sizes);
const outDir = resolve(args.out ?? 'bench-results');
const external = Boolean(args.url ?? args['run-json']);

if (args['write-seed']) {
  await writeFile(args['write-seed'], stringify(benchSeed(sizes)));
  process.stdout.write(`wrote the bench catalog (${allVolumeNames(volumeNames).length} volumes) to ${args['write-seed']}\n`);
  process.exit(0);
}
if (!external && (args['nats-url'] || args['sts-url'] || args.token || args['admin-token'] || args['otlp-port'])) {
  fail('--nats-url, --sts-url, --token, --admin-token and --otlp-port go with --url or --run-json');
}

const progress = new Progress();
const cleanups: (() => Promise<void>)[] = [];
const cleanUp = async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
};
process.once('SIGINT', () => {
  progress.say('interrupted; stopping what the bench started…');
  void cleanUp().finally(() => process.exit(130));
});


/** Ids of every bench volume, or (hitOnly) of the cache-hit volume alone. */
async function volumeIds(url: string, token: string, hitOnly = false): Promise<VolumeIds> {
  const all = hitOnly ? [volumeNames.hit] : allVolumeNames(volumeNames);
  progress.say(`resolving ${all.length} volume id(s) through GET /api/2.1/unity-catalog/volumes/{full_name}…`);
  const ids = await resolveVolumeIds(url, token, all);
  const [hit = '', herd = hit] = ids;
  const missStart = 2 + volumeNames.warm.length;
  const missEnd = missStart + volumeNames.miss.length;
  return { hit, herd, warm: ids.slice(2, missStart), miss: ids.slice(missStart, missEnd), denied: ids.slice(missEnd) };
}

interface SystemUnderTest {
  target: Target;
  /** For looking up volume ids: sees every volume, including those the bench principal is denied. */
  adminToken: string;
  /** Process name → pid, for CPU accounting (empty when unknown). */
  pids: Record<string, number>;
}

/** Starts the system with the bench catalog in a fresh temporary data directory. */
async function startOwnSystem(label: string, otlpUrl?: string): Promise<SystemUnderTest & { system: RunningSystem }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lakegate-bench-'));
  if (args['keep-data']) progress.say(`data directory (kept): ${dataDir}`);
  else cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const seedFile = join(dataDir, 'bench-catalog.yaml');
  await writeFile(seedFile, stringify(benchSeed(sizes)));
  const token = `lgd_${randomBytes(24).toString('base64url')}`;
  const adminToken = `lga_${randomBytes(24).toString('base64url')}`;
  progress.say(`starting lakegate (${label}; ${allVolumeNames(volumeNames).length} volumes, upstream latency ${upstreamLatencyMs} ms)…`);
  const t0 = Date.now();
  const system = await startSystem({ dataDir, seedFile, token, adminToken, upstreamLatencyMs, ...(otlpUrl ? { otlpUrl } : {}) });
  cleanups.push(() => system.stop());
  progress.say(`  ready at ${system.info.url} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const { info } = system;
  return { system, target: { url: info.url, natsUrl: info.natsUrl, token, ...(info.stsUrl ? { stsUrl: info.stsUrl } : {}) }, adminToken, pids: info.pids };
}

/** The running system named by --run-json and/or --url, --nats-url, --sts-url, --token. */
async function externalSystem(): Promise<SystemUnderTest> {
  const runJson = args['run-json'];
  const info = runJson ? await readRunInfo(runJson) : undefined;
  const dataDir = runJson ? dirname(resolve(runJson)) : undefined;
  const url = args.url ?? info?.url;
  const natsUrl = args['nats-url'] ?? info?.natsUrl;
  const stsUrl = args['sts-url'] ?? info?.stsUrl;
  const token = args.token ?? (dataDir ? await readLocalToken(dataDir, 'demo-token') : undefined);
  const adminToken = args['admin-token'] ?? (dataDir ? await readLocalToken(dataDir, 'admin-token') : undefined) ?? token;
  if (!url || !natsUrl) fail('--nats-url is needed with --url (or give --run-json)');
  if (!token || !adminToken) fail('--token is needed (no demo-token file beside run.json)');
  return { target: { url, natsUrl, token, ...(stsUrl ? { stsUrl } : {}) }, adminToken, pids: info?.pids ?? {} };
}

async function withNats<T>(natsUrl: string, fn: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: natsUrl, name: 'lakegate-bench' });
  try {
    return await fn(nc);
  } finally {
    await nc.close();
  }
}

/** The per-hop pass: a second start of the system whose services export spans to our receiver. */
async function hopPass(mainHit: ScenarioResult): Promise<HopBreakdown> {
  const receiver = await OtlpReceiver.start();
  cleanups.push(() => receiver.close());
  progress.say('per-hop pass: the same cache-hit scenario on a fresh system that exports spans');
  const { system, target, adminToken, pids } = await startOwnSystem('traced', receiver.url);
  const ids = await volumeIds(target.url, adminToken, true);
  const measured = await withNats(target.natsUrl, async (nc) => {
    const runner = new ScenarioRunner(target, { ...settings, durationSec: quick ? 2 : 5 }, ids, nc, new CpuMeter(pids), progress, undefined);
    await runner.warmUp({ echo: false, nats: false });
    return runner.cacheHit();
  });
  // Full batches are exported at once; the last partial one waits for the 5 s timer. The spans
  // are a sample either way, so wait only for what is already on its way.
  await new Promise((r) => setTimeout(r, 1_000));
  await system.stop();
  const spans = receiver.spansBetween(measured.window.fromMs, measured.window.toMs);
  const cost =
    ` Traced, it ran at ${measured.result.rps.toFixed(0)} req/s; untraced, in the main run, at ${mainHit.rps.toFixed(0)} req/s` +
    ' (on a quiet machine the difference is the cost of exporting spans; on a busy one it is mostly noise).';
  return {
    how:
      'A separate pass (exporting spans costs throughput, so the main scenarios run without it): the system was started again with ' +
      `LAKEGATE_OTLP_TRACES_URL pointing at the bench's OTLP/HTTP JSON receiver and the cache-hit scenario ran for ${measured.result.durationSec.toFixed(1)} s.${cost} ` +
      "Each service's BatchSpanProcessor drops spans once its 2,048-span queue is full, so counts are a sample, not every request.",
    scenario: SCENARIO.hit,
    requests: measured.result.requests,
    rps: measured.result.rps,
    spans: summarizeSpans(spans),
    rejectedExports: receiver.rejectedRequests,
  };
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const loadAverage1m = loadavg()[0] ?? 0;
  let receiver: OtlpReceiver | undefined;
  if (external && args['otlp-port']) {
    const started = await OtlpReceiver.start({ port: integer('otlp-port', args['otlp-port'], 0, 1) });
    cleanups.push(() => started.close());
    receiver = started;
  }
  const own = external ? undefined : await startOwnSystem('main');
  const { target, adminToken, pids } = own ?? (await externalSystem());
  const ids = await volumeIds(target.url, adminToken);
  progress.say('creating an access key (Lake Formation), a share and its recipient (Delta Sharing) through the admin API…');
  const faces = await prepareFaces(target.url, target.token, adminToken, randomBytes(4).toString('hex'));
  const echo: EchoResponder = await startEchoResponder(target.natsUrl);
  cleanups.push(() => echo.stop());
  const cpu = new CpuMeter(pids);

  const measured: Measured[] = [];
  const notes = await withNats(target.natsUrl, async (nc) => {
    const runner = new ScenarioRunner(target, settings, ids, nc, cpu, progress, echo.pid, faces);
    await runner.warmUp({ echo: true, nats: true });
    measured.push(await runner.echo());
    measured.push(await runner.cacheHit());
    measured.push(...(await runner.faceCacheHits()));
    measured.push(await runner.cacheMiss());
    measured.push(await runner.herd());
    measured.push(await runner.denied());
    measured.push(await runner.natsHit());
    return runner.notes;
  });
  await echo.stop();
  if (own) await own.system.stop();

  const results = buildResults(measured.map((m) => m.result));
  const hit = measured.find((m) => m.result.name === SCENARIO.hit);
  if (!hit) throw new Error('the cache-hit scenario did not run');
  let hops: HopBreakdown | null = null;
  if (receiver) {
    hops = {
      how: `Spans the running system exported to the bench's receiver (port ${args['otlp-port']}) during the cache-hit scenario itself.`,
      scenario: SCENARIO.hit,
      requests: hit.result.requests,
      rps: hit.result.rps,
      spans: summarizeSpans(receiver.spansBetween(hit.window.fromMs, hit.window.toMs)),
      rejectedExports: receiver.rejectedRequests,
    };
  } else if (!external && !args['skip-hops']) {
    hops = await hopPass(hit.result);
  }

  if (Object.keys(pids).length === 0) notes.push('CPU per request was not measured: the pids of the system are unknown (give --run-json).');
  if (!target.stsUrl) notes.push('Upstream calls were not counted: no STS emulator URL (give --sts-url or --run-json).');
  notes.push(
    'CPU s / 1k req sums utime+stime (/proc/<pid>/stat) of every process in run.json (nats-server, sts-emulator, every service; for echo also the echo responder) ' +
      'from just before a scenario until the system is quiet again after it, so background work it caused (audit indexing) is included, per 1,000 requests sent. ' +
      'The load generator runs in the bench process on the same CPUs and is not included.',
  );
  const details: BenchDetails = {
    meta: {
      startedAt,
      finishedAt: new Date().toISOString(),
      target: external ? target.url : 'a system started by the bench (tools/launcher)',
      quick,
      connections: settings.connections,
      durationSec: settings.durationSec,
      upstreamLatencyMs: external ? null : upstreamLatencyMs,
      host: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', loadAverage1m, loadAverage1mAtEnd: loadavg()[0] ?? 0, node: process.version, platform: `${process.platform} ${process.arch}` },
      notes,
    },
    goals: checkGoals(results),
    hops,
  };
  const files = await writeReports(outDir, results, details);
  progress.say('');
  for (const s of results.scenarios) {
    const toEcho = s.rpsToEcho === null || s.p99ToEcho === null ? '' : `  ÷ echo ${s.rpsToEcho.toFixed(2)} / p99 ${s.p99ToEcho.toFixed(2)}`;
    progress.say(
      `${s.name.padEnd(29)} ${s.rps.toFixed(0).padStart(7)} req/s  p50 ${s.p50Ms.toFixed(2).padStart(7)} ms  p99 ${s.p99Ms.toFixed(2).padStart(8)} ms  errors ${s.errors}  upstream ${s.upstreamCalls ?? '—'}${toEcho}`,
    );
  }
  for (const g of details.goals) progress.say(`${g.met === null ? '?' : g.met ? '✓' : '✗'} ${g.goal}: ${g.actual}`);
  progress.say(`wrote ${files.join(', ')}`);
}

try {
  await main();
  await cleanUp();
} catch (error) {
  progress.say(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  await cleanUp();
  process.exit(1);
}
