import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, waitForPort } from '@lakegate/testkit';

/** A storage account Azurite serves, with its shared key (for test setup only; lakegate never holds one). */
export interface AzuriteAccount {
  readonly name: string;
  readonly key: string;
}

export interface AzuriteHandle {
  /** `https://127.0.0.1:<port>`; an account's blob endpoint is `${url}/${account}` (path style). */
  readonly url: string;
  readonly port: number;
  readonly accounts: readonly AzuriteAccount[];
  blobEndpoint(account: string): string;
  /** Stops Azurite (SIGTERM, then waits for the exit) and removes its workspace. */
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** Account names to create (3–24 lower-case letters and digits). */
  readonly accounts: readonly string[];
  /** Paths of the PEM certificate and key to serve HTTPS with; OAuth needs HTTPS. */
  readonly certPath: string;
  readonly keyPath: string;
  /** Path for Azurite's debug log (it records every string-to-sign); off by default. */
  readonly debugLogPath?: string;
}

/**
 * Starts the real `azurite-blob` on a free loopback port in OAuth mode (`--oauth basic`: bearer tokens
 * are checked for `iss`, `aud`, `nbf` and `exp`, not their signature), HTTPS, in-memory, with the
 * given accounts. Resolves once the port accepts connections.
 */
export async function startAzurite(options: AzuriteOptions): Promise<AzuriteHandle> {
  const main = join(dirname(createRequire(import.meta.url).resolve('azurite/package.json')), 'dist/src/blob/main.js');
  const port = await freePort();
  const workspace = await mkdtemp(join(tmpdir(), 'lakegate-azurite-'));
  const accounts = options.accounts.map((name) => ({ name, key: randomBytes(64).toString('base64') }));
  const args = [
    main,
    '--blobHost', '127.0.0.1',
    '--blobPort', String(port),
    '--inMemoryPersistence',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--disableProductStyleUrl',
    '--oauth', 'basic',
    '--cert', options.certPath,
    '--key', options.keyPath,
    ...(options.debugLogPath === undefined ? ['--silent'] : ['--debug', options.debugLogPath]),
  ];
  // cwd: Azurite writes nothing with --inMemoryPersistence, but anything it might write lands in the workspace.
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: workspace,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, AZURITE_ACCOUNTS: accounts.map((a) => `${a.name}:${a.key}`).join(';') },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(workspace, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, 30_000, () => (child.exitCode !== null ? `azurite-blob exited (${child.exitCode}): ${stderr}` : undefined));
  } catch (error) {
    await stop();
    throw error;
  }
  const url = `https://127.0.0.1:${port}`;
  return { url, port, accounts, blobEndpoint: (account) => `${url}/${account}`, stop };
}
