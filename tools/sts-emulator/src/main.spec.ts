import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

/** The CLI as `npm start` runs it: the built `dist/main.js` in its own process. */

const PROJECT = join(import.meta.dirname, '..');
const MAIN = join(PROJECT, 'dist', 'main.js');
const children: ChildProcessWithoutNullStreams[] = [];

const run = (args: string[]) => {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: 'pipe' });
  children.push(child);
  return child;
};

async function exitOf(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

beforeAll(async () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-b', join(PROJECT, 'tsconfig.lib.json')]);
}, 120_000);

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('lakegate-sts-emulator CLI', () => {
  it('prints one ready line, serves STS and the emulator endpoints, and exits 0 on SIGTERM', async () => {
    const child = run(['--port', '0', '--access-key-id', 'AKIDCLI', '--secret-access-key', 'cli-secret']);
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const ready = JSON.parse(line) as { ready: boolean; url: string; port: number };
    expect(ready).toEqual({ ready: true, url: `http://127.0.0.1:${ready.port}`, port: expect.any(Number) });

    const sts = new STSClient({ region: 'eu-west-1', endpoint: ready.url, credentials: { accessKeyId: 'AKIDCLI', secretAccessKey: 'cli-secret' }, maxAttempts: 1 });
    try {
      const out = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/any', RoleSessionName: 'cli' }));
      expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    } finally {
      sts.destroy();
    }
    expect(await (await fetch(`${ready.url}/_emulator/health`)).json()).toEqual({ ok: true, calls: 1 });
    const calls = (await (await fetch(`${ready.url}/_emulator/calls`)).json()) as { roleSessionName: string; status: number }[];
    expect(calls).toMatchObject([{ roleSessionName: 'cli', status: 200 }]);

    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });

  it('exits 0 on SIGINT', async () => {
    const child = run(['--access-key-id', 'AKIDCLI', '--secret-access-key', 'cli-secret']);
    await once(createInterface({ input: child.stdout }), 'line');
    const exited = exitOf(child);
    child.kill('SIGINT');
    expect((await exited).code).toBe(0);
  });

  it.each([
    [['--access-key-id', 'AKIDCLI'], /--access-key-id and --secret-access-key \(or STS_EMULATOR_SECRET_ACCESS_KEY\) are required/],
    [['--access-key-id', 'A', '--secret-access-key', 'S', '--port', 'eighty'], /--port must be a non-negative integer/],
    [['--access-key-id', 'A', '--secret-access-key', 'S', '--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j with exit code 2 and the usage', async (args, message) => {
    const { code, stderr } = await exitOf(run(args));
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('Usage: lakegate-sts-emulator');
  });

  it('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await exitOf(run(['--help']));
    expect(code).toBe(0);
    expect(stdout).toContain('--latency-ms');
  });
});
