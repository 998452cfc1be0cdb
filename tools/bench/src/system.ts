import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (this file runs from tools/bench/dist). */
export const repoRoot = resolve(here, '../../..');

/** What the launcher writes to `<data dir>/run.json` once the system is ready. */
export interface RunInfo {
  url: string;
  natsUrl: string;
  /** The STS emulator, when the launcher started one. */
  stsUrl?: string;
  pids: Record<string, number>;
}

export function parseRunInfo(raw: unknown): RunInfo {
  const r = raw as Partial<RunInfo> | null;
  if (!r || typeof r.url !== 'string' || typeof r.natsUrl !== 'string') throw new Error('run.json lacks url or natsUrl');
  const pids = Object.fromEntries(Object.entries(r.pids ?? {}).filter((e): e is [string, number] => Number.isInteger(e[1])));
  return { url: r.url, natsUrl: r.natsUrl, ...(typeof r.stsUrl === 'string' ? { stsUrl: r.stsUrl } : {}), pids };
}

export async function readRunInfo(file: string): Promise<RunInfo> {
  return parseRunInfo(JSON.parse(await readFile(file, 'utf8')));
}

/** A token the launcher generated and kept in its data directory (`demo-token`, `admin-token`), if there is one. */
export async function readLocalToken(dataDir: string, name: 'demo-token' | 'admin-token'): Promise<string | undefined> {
  try {
    return (await readFile(join(dataDir, name), 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface StartOptions {
  dataDir: string;
  seedFile: string;
  /** The bench principal's ("demo") bearer token. */
  token: string;
  /** The metastore admin's bearer token (principal "admin"), for looking up volume ids. */
  adminToken: string;
  upstreamLatencyMs: number;
  /** OTLP/HTTP traces endpoint every service exports to; none = spans are not exported. */
  otlpUrl?: string;
}

export interface RunningSystem {
  info: RunInfo;
  stop(): Promise<void>;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once('exit', () => r());
  });

/**
 * Starts the whole system the way `npm start` does (`tools/launcher`), on free ports with the
 * bench catalog, its own STS emulator and the echo route on, and waits for its ready line.
 */
export async function startSystem(options: StartOptions): Promise<RunningSystem> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Never join someone else's NATS or STS (the bench counts upstream calls on its own emulator),
  // and keep the launcher's default principals: "demo" (a plain user) and "admin" (the metastore admin).
  for (const name of ['LAKEGATE_NATS_URL', 'AWS_ENDPOINT_URL_STS', 'LAKEGATE_OTLP_TRACES_URL', 'LAKEGATE_ADMINS', 'LAKEGATE_ADMIN_PRINCIPAL', 'LAKEGATE_DEMO_PRINCIPAL']) {
    delete env[name];
  }
  Object.assign(env, {
    LAKEGATE_DATA_DIR: options.dataDir,
    LAKEGATE_HTTP_PORT: String(await freePort()),
    LAKEGATE_NATS_PORT: String(await freePort()),
    LAKEGATE_DEMO_TOKEN: options.token,
    LAKEGATE_ADMIN_TOKEN: options.adminToken,
    LAKEGATE_SEED_FILE: options.seedFile,
    LAKEGATE_STS_EMULATOR_LATENCY_MS: String(options.upstreamLatencyMs),
    LAKEGATE_BENCH_ECHO: 'true',
    LAKEGATE_LOG_LEVEL: 'warn',
    ...(options.otlpUrl ? { LAKEGATE_OTLP_TRACES_URL: options.otlpUrl } : {}),
  });
  const launcher = spawn(process.execPath, [join(repoRoot, 'tools/launcher/dist/main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = new Promise<void>((resolveReady, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('lakegate is ready at')) resolveReady();
    };
    launcher.stdout.on('data', onData);
    launcher.stderr.on('data', onData);
    launcher.once('exit', (code, signal) => reject(new Error(`the launcher exited (${signal ?? code}) before the system was ready:\n${output.slice(-4000)}`)));
    setTimeout(() => reject(new Error(`the system was not ready after 180 s:\n${output.slice(-4000)}`)), 180_000).unref();
  });

  let info: RunInfo | undefined;
  const stop = async () => {
    if (launcher.exitCode === null && launcher.signalCode === null) {
      launcher.kill('SIGINT');
      const timer = setTimeout(() => {
        launcher.kill('SIGKILL');
        // The launcher could not stop its children: stop the ones it reported, by pid.
        for (const pid of Object.values(info?.pids ?? {})) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            // already gone
          }
        }
      }, 20_000);
      await exited(launcher);
      clearTimeout(timer);
    }
  };
  try {
    await ready;
    info = await readRunInfo(join(options.dataDir, 'run.json'));
  } catch (error) {
    await stop();
    throw error;
  }
  return { info, stop };
}

/** AssumeRole calls the STS emulator has received so far. */
export async function upstreamCallCount(stsUrl: string): Promise<number> {
  const res = await fetch(`${stsUrl}/_emulator/calls`);
  if (!res.ok) throw new Error(`GET ${stsUrl}/_emulator/calls answered ${res.status}`);
  return ((await res.json()) as unknown[]).length;
}

/**
 * The volume ids of the full names, in the same order, asked of the running system (which also
 * proves that the catalog has loaded every one).
 */
export async function resolveVolumeIds(url: string, token: string, fullNames: readonly string[], concurrency = 16): Promise<string[]> {
  const ids: string[] = [];
  const queue = fullNames.entries(); // shared by the workers: each takes the next name
  const worker = async () => {
    for (const [i, name] of queue) {
      const res = await fetch(`${url}/api/2.1/unity-catalog/volumes/${encodeURIComponent(name)}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json().catch(() => ({}))) as { volume_id?: string; message?: string };
      if (!res.ok || !body.volume_id) {
        throw new Error(
          `volume ${name}: ${res.status} ${body.message ?? ''}\n` +
            'The system must have been started with the bench catalog (see --write-seed), and the lookups need a token that sees every volume (--admin-token).',
        );
      }
      ids[i] = body.volume_id;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, fullNames.length) }, worker));
  return ids;
}

export interface EchoResponder {
  pid: number;
  stop(): Promise<void>;
}

/** Starts `echo-responder.js` in its own process and waits until it is subscribed. */
export async function startEchoResponder(natsUrl: string): Promise<EchoResponder> {
  const child = spawn(process.execPath, [join(here, 'echo-responder.js'), natsUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolveReady, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) resolveReady();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the echo responder exited (${code}): ${output}`)));
  });
  return {
    pid: child.pid ?? 0,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited(child);
      }
    },
  };
}
