import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/** The CLI as a developer runs it: the built `dist/main.js` in its own process. */

const PROJECT = join(import.meta.dirname, '..');
const MAIN = join(PROJECT, 'dist', 'main.js');
const BROKER = 'broker@lakegate-test.iam.gserviceaccount.com';
const DATA_SA = 'data@lakegate-test.iam.gserviceaccount.com';
const children: ChildProcessWithoutNullStreams[] = [];
const dir = mkdtempSync(join(tmpdir(), 'gcp-emulators-cli-'));
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyFile = join(dir, 'broker.json');

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

async function ready(child: ChildProcessWithoutNullStreams): Promise<{ ready: boolean; url: string; port: number }> {
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  return JSON.parse(line) as { ready: boolean; url: string; port: number };
}

function assertion(): string {
  const iat = Math.floor(Date.now() / 1000);
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iss: BROKER, scope: 'https://www.googleapis.com/auth/cloud-platform', aud: 'https://oauth2.googleapis.com/token', iat, exp: iat + 3600 })}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url')}`;
}

beforeAll(async () => {
  writeFileSync(keyFile, JSON.stringify({ type: 'service_account', client_email: BROKER, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-b', join(PROJECT, 'tsconfig.lib.json')]);
}, 120_000);

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('lakegate-gcp-emulators CLI', () => {
  it('prints one ready line, serves the grant, impersonation and exchange, and exits 0 on SIGTERM', async () => {
    const child = run(['--port', '0', '--service-account-key', keyFile, '--allow-impersonation', `${BROKER}=${DATA_SA}`]);
    const line = await ready(child);
    expect(line).toEqual({ ready: true, url: `http://127.0.0.1:${line.port}`, port: expect.any(Number) });

    const grant = await fetch(`${line.url}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: assertion() }),
    });
    expect(grant.status).toBe(200);
    const { access_token: brokerToken } = (await grant.json()) as { access_token: string };

    const denied = await fetch(`${line.url}/v1/projects/-/serviceAccounts/other@x.iam.gserviceaccount.com:generateAccessToken`, {
      method: 'POST',
      headers: { authorization: `Bearer ${brokerToken}` },
      body: JSON.stringify({ scope: ['https://www.googleapis.com/auth/cloud-platform'] }),
    });
    expect(denied.status).toBe(403);
    const impersonated = await fetch(`${line.url}/v1/projects/-/serviceAccounts/${DATA_SA}:generateAccessToken`, {
      method: 'POST',
      headers: { authorization: `Bearer ${brokerToken}` },
      body: JSON.stringify({ scope: ['https://www.googleapis.com/auth/cloud-platform'], lifetime: '600s' }),
    });
    expect(impersonated.status).toBe(200);
    const { accessToken } = (await impersonated.json()) as { accessToken: string };

    const exchanged = await fetch(`${line.url}/v1/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: accessToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        options: JSON.stringify({
          accessBoundary: { accessBoundaryRules: [{ availableResource: '//storage.googleapis.com/projects/_/buckets/lake-b1', availablePermissions: ['inRole:roles/storage.objectViewer'] }] },
        }),
      }),
    });
    expect(exchanged.status).toBe(200);
    expect(((await exchanged.json()) as { expires_in: number }).expires_in).toBeLessThanOrEqual(600);

    expect(await (await fetch(`${line.url}/_emulator/health`)).json()).toEqual({ ok: true, calls: 4 });
    const calls = (await (await fetch(`${line.url}/_emulator/calls`)).json()) as { endpoint: string; status: number }[];
    expect(calls.map((c) => [c.endpoint, c.status])).toEqual([
      ['oauth2', 200],
      ['iam', 403],
      ['iam', 200],
      ['sts', 200],
    ]);

    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });

  it('exits 0 on SIGINT', async () => {
    const child = run([]);
    await ready(child);
    const exited = exitOf(child);
    child.kill('SIGINT');
    expect((await exited).code).toBe(0);
  });

  it.each([
    [['--port', 'eighty'], /--port must be an integer/],
    [['--service-account-key', '/nonexistent/key.json'], /could not be read as JSON \(ENOENT\)/],
    [['--allow-impersonation', 'just-one-name'], /<caller>=<target>/],
    [['--token-lifetime-seconds', '0'], /--token-lifetime-seconds must be an integer of at least 1/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j with exit code 2 and the usage', async (args, message) => {
    const { code, stderr } = await exitOf(run(args));
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('Usage: lakegate-gcp-emulators');
  });

  it('refuses a key file without a key, without printing its content', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ client_email: BROKER, secret_field: 'do-not-print' }));
    const { code, stderr } = await exitOf(run(['--service-account-key', bad]));
    expect(code).toBe(2);
    expect(stderr).toMatch(/has no client_email and private_key/);
    expect(stderr).not.toContain('do-not-print');
  });

  it('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await exitOf(run(['--help']));
    expect(code).toBe(0);
    expect(stdout).toContain('--allow-impersonation');
  });
});
