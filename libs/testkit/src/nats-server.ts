import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

const CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];

/** Finds the nats-server binary (NATS_SERVER_BIN, PATH, /usr/sbin). */
export function findNatsServer(env: Record<string, string | undefined> = process.env): string {
  if (env['NATS_SERVER_BIN'] && existsSync(env['NATS_SERVER_BIN'])) return env['NATS_SERVER_BIN'];
  for (const dir of (env['PATH'] ?? '').split(':')) if (dir && existsSync(join(dir, 'nats-server'))) return join(dir, 'nats-server');
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error('nats-server not found: install it with `apt-get install -y nats-server` (Debian) or set NATS_SERVER_BIN');
  return found;
}

export interface NatsServerHandle {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** SIGTERM and wait; the store directory is kept for a restart. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, as the clients see it. */
  kill(): Promise<void>;
  /** Starts again on the same port with the same JetStream store. */
  restart(): Promise<void>;
  /** Stops the server and removes its temporary directory. */
  dispose(): Promise<void>;
}

/** Starts a real nats-server with JetStream on a free loopback port and a temporary store. */
export async function startNatsServer(options: { port?: number } = {}): Promise<NatsServerHandle> {
  const bin = findNatsServer();
  const port = options.port ?? (await freePort());
  const storeDir = await mkdtemp(join(tmpdir(), 'lakegate-nats-'));
  let child: ChildProcess | undefined;

  const launch = async () => {
    const proc = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child = proc;
    await waitForPort(port, 10_000, () => (proc.exitCode !== null ? `nats-server exited: ${stderr}` : undefined));
  };

  const terminate = async (signal: NodeJS.Signals) => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await exited;
  };

  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
    restart: async () => {
      await terminate('SIGTERM');
      await launch();
    },
    dispose: async () => {
      await terminate('SIGTERM');
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

/** Resolves once something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs: number, failed?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = failed?.();
    if (why) throw new Error(why);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
