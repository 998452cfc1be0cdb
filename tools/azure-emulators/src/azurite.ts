import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A storage account Azurite serves, with its shared key (emulator setup only; lakegate never holds one). */
export interface AzuriteAccount {
  readonly name: string;
  readonly key: string;
}

export interface AzuriteProcess {
  /** `https://127.0.0.1:<port>`; an account's blob endpoint is `${url}/${account}` (path style). */
  readonly url: string;
  readonly port: number;
  /** The accounts it serves, with their shared keys (emulator setup only). */
  readonly accounts: readonly AzuriteAccount[];
  blobEndpoint(account: string): string;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/**
 * Starts the real `azurite-blob` in OAuth mode (`--oauth basic`: bearer tokens are checked for
 * `iss`, `aud`, `nbf`, `exp`, not their signature), HTTPS, in memory, with the given accounts.
 */
export async function startAzurite(options: { accounts: readonly (AzuriteAccount | string)[]; certPath: string; keyPath: string; port?: number }): Promise<AzuriteProcess> {
  const accounts = options.accounts.map((a) => (typeof a === 'string' ? { name: a, key: randomBytes(64).toString('base64') } : a));
  // azurite-blob needs a port number: a free one can be taken by another process before Azurite binds
  // it, so a start that fails with EADDRINUSE on a port we picked is tried again on another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(accounts, options);
    } catch (error) {
      if (options.port || attempt >= 5 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

async function startOnce(accounts: readonly AzuriteAccount[], options: { certPath: string; keyPath: string; port?: number }): Promise<AzuriteProcess> {
  const main = join(dirname(createRequire(import.meta.url).resolve('azurite/package.json')), 'dist/src/blob/main.js');
  const port = options.port || (await freePort());
  const workspace = await mkdtemp(join(tmpdir(), 'lakegate-azurite-'));
  const args = [
    main, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck',
    '--disableProductStyleUrl', '--oauth', 'basic', '--cert', options.certPath, '--key', options.keyPath, '--silent',
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: workspace,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, AZURITE_ACCOUNTS: accounts.map((a) => `${a.name}:${a.key}`).join(';') },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(workspace, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`azurite-blob exited (${child.exitCode}): ${stderr}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('azurite-blob did not listen within 30 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = `https://127.0.0.1:${port}`;
  return { url, port, accounts, blobEndpoint: (account) => `${url}/${account}`, stop };
}
