import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface RunningSystem {
  url: string;
  natsUrl: string;
  dataDir: string;
  token: string;
  adminToken: string;
  output: () => string;
  /** Ctrl-C, as a user would; resolves with the launcher's exit code. */
  interrupt(): Promise<number | null>;
}

/** Starts lakegate exactly as `npm start` does after its build step: the launcher, on free ports. */
export async function startSystem(options: { dataDir?: string; token: string; adminToken?: string; extraEnv?: Record<string, string> }): Promise<RunningSystem> {
  const adminToken = options.adminToken ?? `adm_${randomBytes(24).toString('base64url')}`;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'lakegate-e2e-')));
  const child: ChildProcess = spawn(process.execPath, [join(root, 'tools/launcher/dist/main.js')], {
    env: {
      ...process.env,
      LAKEGATE_DATA_DIR: dataDir,
      // Port 0: every server picks a free port itself, so parallel systems never race for one.
      LAKEGATE_HTTP_PORT: '0',
      LAKEGATE_NATS_PORT: '0',
      LAKEGATE_DEMO_TOKEN: options.token,
      LAKEGATE_ADMIN_TOKEN: adminToken,
      LAKEGATE_LOG_LEVEL: 'debug',
      ...options.extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`lakegate did not become ready:\n${output}`)), 90_000);
    const check = () => {
      if (output.includes('lakegate is ready')) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the launcher exited (${code}) before it was ready:\n${output}`));
    });
  });
  const run = JSON.parse(await readFile(join(dataDir, 'run.json'), 'utf8')) as { url: string; natsUrl: string };
  return {
    url: run.url,
    natsUrl: run.natsUrl,
    dataDir,
    token: options.token,
    adminToken,
    output: () => output,
    interrupt: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

export const removeDir = (dir: string) => rm(dir, { recursive: true, force: true });

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** CloudTrail `LookupEvents` on the running system, as a metastore admin: each event with its record parsed. */
export async function lookupEvents<R = Record<string, unknown>>(
  system: RunningSystem,
  attribute: string,
  value: string,
  maxResults = 50,
): Promise<{ EventName: string; CloudTrailEvent: string; record: R }[]> {
  const res = await fetch(`${system.url}/api/v1/audit/lookup-events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${system.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ LookupAttributes: [{ AttributeKey: attribute, AttributeValue: value }], MaxResults: maxResults }),
  });
  const events = ((await res.json()) as { Events: { EventName: string; CloudTrailEvent: string }[] }).Events;
  return events.map((e) => ({ ...e, record: JSON.parse(e.CloudTrailEvent) as R }));
}
