#!/usr/bin/env node
/**
 * Benchmarks of the catalog side (issue: catalog and authorization):
 *   1. in-process decision latency (decideVolumeAccess) with 1k → 1M grants in the view: p50 should
 *      stay ≤ 20 µs and flat within ±25%;
 *   2. how soon a grant written to the catalog KV is visible in another process's watch-fed view
 *      (the path an admin change takes to authz), over a real nats-server: p99 goal ≤ 100 ms.
 * Prints JSON; `--out <file>` also writes it. `--max-grants` caps the largest size (default 1,000,000).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
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

function decisionLatency(grants: number) {
  const { state, volumeIds } = catalogWith(grants);
  const samples: number[] = [];
  let allowed = 0;
  for (let i = 0; i < 20_000; i++) {
    const volumeId = volumeIds[(i * 7919) % volumeIds.length]!;
    const t0 = performance.now();
    const d = decideVolumeAccess(state, { principal: 'ana', volumeId, access: 'read' });
    samples.push(performance.now() - t0);
    if (d.allow) allowed++;
  }
  samples.sort((a, b) => a - b);
  return { grants, decisions: samples.length, allowed, p50Us: percentile(samples, 50) * 1000, p99Us: percentile(samples, 99) * 1000 };
}

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
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'max-grants': { type: 'string' } } });
  const max = Number(values['max-grants'] ?? 1_000_000);
  const sizes = [1_000, 10_000, 100_000, 1_000_000].filter((n) => n <= max);
  const decisions = sizes.map((n) => decisionLatency(n));
  const p50s = decisions.map((d) => d.p50Us);
  const summary = {
    decisions,
    flatness: { minP50Us: Math.min(...p50s), maxP50Us: Math.max(...p50s), spreadPercent: ((Math.max(...p50s) - Math.min(...p50s)) / Math.min(...p50s)) * 100 },
    grantVisibility: await grantVisibility(500),
    goals: { decisionP50Us: 20, flatWithinPercent: 25, grantVisibleP99Ms: 100 },
  };
  const text = JSON.stringify(summary, null, 2);
  process.stdout.write(`${text}\n`);
  if (values.out) await writeFile(values.out, `${text}\n`);
}

void main();
