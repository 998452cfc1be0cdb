import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LakegateError } from '@lakegate/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveGcpMinterConfig, type GcpMinterOptions, type GcpServiceAccountKey } from './gcp-minter.config.js';

const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY: GcpServiceAccountKey = { type: 'service_account', client_email: 'broker@proj.iam.gserviceaccount.com', private_key: PRIVATE_KEY, private_key_id: 'k1' };
const dir = mkdtempSync(join(tmpdir(), 'gcp-minter-config-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function problemsOf(options: GcpMinterOptions): string[] {
  try {
    resolveGcpMinterConfig(options);
  } catch (error) {
    expect(error).toBeInstanceOf(LakegateError);
    expect((error as LakegateError).code).toBe('INVALID_ARGUMENT');
    return (error as LakegateError).details?.['problems'] as string[];
  }
  throw new Error('expected the configuration to be refused');
}

describe('resolveGcpMinterConfig', () => {
  it('applies defaults: ADC, impersonation, googleapis.com, 1 h, 5 s, 3 attempts', () => {
    expect(resolveGcpMinterConfig({})).toEqual({
      source: { kind: 'application-default' },
      identity: 'impersonate',
      universeDomain: 'googleapis.com',
      endpoints: { sts: undefined, iamCredentials: undefined, oauth2: undefined },
      maxDurationSeconds: 3600,
      requestTimeoutMs: 5000,
      maxAttempts: 3,
    });
  });

  it('keeps a parsed key and normalises endpoint bases', () => {
    const config = resolveGcpMinterConfig({
      source: { kind: 'service-account-key', key: KEY },
      identity: 'source',
      endpoints: { sts: 'http://127.0.0.1:4100/', iamCredentials: 'https://iam.internal.example/base//', oauth2: 'http://localhost:9' },
      maxDurationSeconds: 600,
    });
    expect(config.source).toEqual({ kind: 'service-account-key', key: KEY });
    expect(config.identity).toBe('source');
    expect(config.endpoints).toEqual({ sts: 'http://127.0.0.1:4100', iamCredentials: 'https://iam.internal.example/base', oauth2: 'http://localhost:9' });
    expect(config.maxDurationSeconds).toBe(600);
  });

  it('reads a key file once', () => {
    const path = join(dir, 'key.json');
    writeFileSync(path, JSON.stringify(KEY));
    expect(resolveGcpMinterConfig({ source: { kind: 'service-account-key-file', path } }).source).toEqual({ kind: 'service-account-key', key: KEY });
  });

  it('lists every problem in one INVALID_ARGUMENT error', () => {
    const problems = problemsOf({
      source: { kind: 'service-account-key', key: { ...KEY, type: 'authorized_user' as 'service_account', client_email: 'nope', private_key: 'not a key' } },
      identity: 'delegate' as 'source',
      universeDomain: 'not a domain',
      endpoints: { sts: 'ftp://x', iamCredentials: 'nope', oauth2: 'http://u:p@host' },
      maxDurationSeconds: 7200,
      requestTimeoutMs: 0,
      maxAttempts: 11,
    });
    const fragments = [
      'universeDomain',
      "identity 'delegate'",
      "type must be 'service_account'",
      'client_email',
      'private_key is not a PEM private key',
      "endpoints.sts 'ftp://x' must be http(s)",
      "endpoints.iamCredentials 'nope' is not a URL",
      'endpoints.oauth2',
      'maxDurationSeconds',
      'requestTimeoutMs',
      'maxAttempts',
    ];
    expect(problems).toHaveLength(fragments.length);
    for (const fragment of fragments) expect(problems.some((p) => p.includes(fragment))).toBe(true);
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.json'), /could not be read as a key file \(ENOENT\)/],
    ['a file that is not JSON', () => writeTo('broken.json', `{"private_key": "${PRIVATE_KEY.replace(/\n/g, '\\n')}"`), /could not be read as a key file \(not JSON\)/],
    ['a key of another universe', () => writeTo('tpc.json', JSON.stringify({ ...KEY, universe_domain: 'example.cloud' })), /universe_domain 'example.cloud' does not match/],
    ['a key without a private key', () => writeTo('nokey.json', JSON.stringify({ ...KEY, private_key: undefined })), /private_key is missing/],
  ])('refuses %s, without quoting key material', (_name, path, message) => {
    const problems = problemsOf({ source: { kind: 'service-account-key-file', path: path() } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    expect(problems[0]).not.toContain('PRIVATE KEY');
  });

  it('refuses an unknown source kind and an empty key path', () => {
    expect(problemsOf({ source: { kind: 'metadata' } as unknown as GcpMinterOptions['source'] })[0]).toMatch(/source.kind 'metadata'/);
    expect(problemsOf({ source: { kind: 'service-account-key-file', path: '' } })[0]).toMatch(/source.path must name/);
  });

  it.each([600, 1800, 3600])('accepts maxDurationSeconds %i', (seconds) => {
    expect(resolveGcpMinterConfig({ maxDurationSeconds: seconds }).maxDurationSeconds).toBe(seconds);
  });

  it.each([599, 3601, 900.5])('refuses maxDurationSeconds %d', (seconds) => {
    expect(problemsOf({ maxDurationSeconds: seconds })).toEqual([expect.stringMatching(/maxDurationSeconds must be an integer from 600 to 3600/)]);
  });
});

function writeTo(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
