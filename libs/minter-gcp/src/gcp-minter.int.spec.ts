import { describeMinterConformance, mintFailure } from '@lakegate/minter-conformance';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageLocation } from '@lakegate/contracts';
import type { LakegateError } from '@lakegate/contracts';
import { ACCESS_TOKEN_TYPE, startGcpEmulator, TOKEN_EXCHANGE_GRANT_TYPE, tokenFingerprint, type GcpEmulator } from '@lakegate/gcp-emulators';
import type { MintInput } from '@lakegate/minter-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCredentialAccessBoundary } from './credential-access-boundary.js';
import { CLOUD_PLATFORM_SCOPE, GcpMinter } from './gcp-minter.adapter.js';
import type { GcpMinterOptions, GcpServiceAccountKey } from './gcp-minter.config.js';

/**
 * GcpMinter end to end: the real google-auth-library (JWT grant, Impersonated, DownscopedClient)
 * against the loopback OAuth 2.0, IAM Credentials and STS emulators.
 */

const BROKER = 'lakegate-broker@lakegate-test.iam.gserviceaccount.com';
const DATA_SA = 'lake-data@lakegate-test.iam.gserviceaccount.com';
const UNTRUSTING_SA = 'finance@lakegate-test.iam.gserviceaccount.com';
const pem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY: GcpServiceAccountKey = { type: 'service_account', client_email: BROKER, private_key: pem(), private_key_id: 'key-1', project_id: 'lakegate-test' };
const dir = mkdtempSync(join(tmpdir(), 'gcp-minter-int-'));

let emulator: GcpEmulator;

const minter = (overrides: Partial<GcpMinterOptions> = {}): GcpMinter =>
  new GcpMinter({
    source: { kind: 'service-account-key', key: KEY },
    endpoints: { sts: emulator.url, iamCredentials: emulator.url, oauth2: emulator.url },
    maxAttempts: 1,
    ...overrides,
  });

const input = (overrides: Partial<MintInput> = {}): MintInput => ({
  requestId: 'req-0001',
  principal: 'alice@example.com',
  locations: [{ url: 'gs://data-lake/sales', access: 'read' }],
  storageCredential: { name: 'lake', revision: 1, gcp: { serviceAccountEmail: DATA_SA } },
  durationSeconds: 3600,
  ...overrides,
});

const failure = mintFailure;

const last = <E extends 'oauth2' | 'iam' | 'sts'>(endpoint: E) => {
  const call = emulator.callsTo(endpoint).at(-1);
  if (!call) throw new Error(`the emulator saw no ${endpoint} call`);
  return call;
};

/** Neither message nor details may carry anything token-shaped. */
function expectNoTokenText(error: LakegateError) {
  expect(JSON.stringify({ message: error.message, details: error.details, cause: String(error.cause) })).not.toMatch(/ya29\.|eyJ|BEGIN PRIVATE KEY/);
}

beforeAll(async () => {
  emulator = await startGcpEmulator({
    serviceAccountKeys: { [BROKER]: KEY.private_key },
    impersonation: { [DATA_SA]: [BROKER], [UNTRUSTING_SA]: [] },
  });
});

afterEach(() => {
  emulator.setLatency(0);
});

afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GcpMinter against the GCP emulators', () => {
  it('impersonates the storage credential’s service account and downscopes to exactly the built boundary', async () => {
    const locations: StorageLocation[] = [
      { url: 'gs://data-lake/sales', access: 'read' },
      { url: 'gs://data-lake/staging/alice', access: 'write' },
      { url: 'gs://archive-lake', access: 'read' },
    ];
    const before = Date.now();
    const result = await minter().mint(input({ locations, durationSeconds: 1800 }));

    expect(result.credential.cloud).toBe('gcp');
    const token = result.credential.gcp?.oauthToken ?? '';
    const issued = emulator.describeToken(token);
    expect(issued).toMatchObject({ identity: DATA_SA, issuedBy: 'sts', accessBoundary: buildCredentialAccessBoundary(locations).accessBoundary });
    expect(result.credential.expiresAt).toBeGreaterThanOrEqual(before + 1800_000 - 2000);
    expect(result.credential.expiresAt).toBeLessThanOrEqual(Date.now() + 1800_000);
    expect(Math.abs(result.credential.expiresAt - (issued?.expiresAt ?? 0))).toBeLessThanOrEqual(1000);

    expect(last('oauth2')).toMatchObject({ status: 200, serviceAccount: BROKER, scopes: [CLOUD_PLATFORM_SCOPE] });
    expect(last('iam')).toMatchObject({ status: 200, caller: BROKER, targetServiceAccount: DATA_SA, lifetimeSeconds: 1800, scopes: [CLOUD_PLATFORM_SCOPE], delegates: [] });
    const exchange = last('sts');
    expect(exchange).toMatchObject({ status: 200, subject: DATA_SA, subjectTokenSha256: last('iam').issuedTokenSha256, issuedTokenSha256: tokenFingerprint(token), authorizationHeader: false });
    expect(exchange.form).toMatchObject({
      grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
      subject_token_type: ACCESS_TOKEN_TYPE,
      requested_token_type: ACCESS_TOKEN_TYPE,
    });
    expect(JSON.parse(exchange.form['options'] ?? 'null')).toEqual(buildCredentialAccessBoundary(locations));
    expect(exchange.accessBoundary).toEqual(buildCredentialAccessBoundary(locations).accessBoundary);
  });

  it('signs in once and impersonates per mint, each with its own boundary', async () => {
    const m = minter();
    const oauthBefore = emulator.callsTo('oauth2').length;
    const iamBefore = emulator.callsTo('iam').length;
    const prefixes = ['a', 'b', 'c', 'd'];
    const results = await Promise.all(prefixes.map((p, i) => m.mint(input({ requestId: `req-${i}`, locations: [{ url: `gs://data-lake/${p}`, access: 'read' }] }))));
    expect(emulator.callsTo('oauth2').length - oauthBefore).toBe(1);
    expect(emulator.callsTo('iam').length - iamBefore).toBe(prefixes.length);
    const tokens = results.map((r) => r.credential.gcp?.oauthToken ?? '');
    expect(new Set(tokens).size).toBe(prefixes.length);
    tokens.forEach((t, i) => {
      expect(emulator.describeToken(t)?.accessBoundary).toEqual(buildCredentialAccessBoundary([{ url: `gs://data-lake/${prefixes[i]}`, access: 'read' }]).accessBoundary);
    });
  });

  it.each([
    [60, 600],
    [599, 600],
    [900, 900],
    [5400, 3600],
    [Number.NaN, 3600],
  ])('asks IAM for a lifetime of %d s as %i s', async (requested, sent) => {
    const result = await minter().mint(input({ durationSeconds: requested }));
    expect(last('iam').lifetimeSeconds).toBe(sent);
    expect(Math.round((result.credential.expiresAt - last('iam').receivedAt) / 1000)).toBeCloseTo(sent, -1);
  });

  it('honours a configured lower maximum', async () => {
    await minter({ maxDurationSeconds: 1200 }).mint(input({ durationSeconds: 3600 }));
    expect(last('iam').lifetimeSeconds).toBe(1200);
  });

  it('reads the source key from a key file', async () => {
    const path = join(dir, 'broker.json');
    writeFileSync(path, JSON.stringify(KEY));
    const result = await minter({ source: { kind: 'service-account-key-file', path } }).mint(input());
    expect(emulator.describeToken(result.credential.gcp?.oauthToken ?? '')?.identity).toBe(DATA_SA);
  });

  describe('Application Default Credentials', () => {
    const saved = process.env['GOOGLE_APPLICATION_CREDENTIALS'];
    beforeAll(() => {
      const path = join(dir, 'adc.json');
      writeFileSync(path, JSON.stringify(KEY));
      process.env['GOOGLE_APPLICATION_CREDENTIALS'] = path;
    });
    afterAll(() => {
      if (saved === undefined) delete process.env['GOOGLE_APPLICATION_CREDENTIALS'];
      else process.env['GOOGLE_APPLICATION_CREDENTIALS'] = saved;
    });

    it('signs in with the key ADC finds and impersonates', async () => {
      const result = await minter({ source: { kind: 'application-default' } }).mint(input());
      expect(last('oauth2')).toMatchObject({ status: 200, serviceAccount: BROKER });
      expect(emulator.describeToken(result.credential.gcp?.oauthToken ?? '')?.identity).toBe(DATA_SA);
    });

    it('learns its own email for source mode', async () => {
      const result = await minter({ source: { kind: 'application-default' }, identity: 'source' }).mint(input({ storageCredential: { name: 'own', revision: 1, gcp: { serviceAccountEmail: BROKER } } }));
      expect(emulator.describeToken(result.credential.gcp?.oauthToken ?? '')?.identity).toBe(BROKER);
    });
  });

  describe('source mode (no impersonation)', () => {
    it('downscopes lakegate’s own token when the storage credential names that identity', async () => {
      const iamBefore = emulator.callsTo('iam').length;
      const result = await minter({ identity: 'source' }).mint(input({ storageCredential: { name: 'own', revision: 1, gcp: { serviceAccountEmail: BROKER } }, durationSeconds: 600 }));
      expect(emulator.callsTo('iam').length).toBe(iamBefore);
      expect(last('sts')).toMatchObject({ status: 200, subject: BROKER, subjectTokenSha256: last('oauth2').issuedTokenSha256 });
      // The token lives as long as the source token, whatever was asked.
      expect(Math.round((result.credential.expiresAt - last('oauth2').receivedAt) / 1000)).toBeCloseTo(3600, -1);
    });

    it('refuses a storage credential naming another service account, before any call', async () => {
      const before = emulator.calls.length;
      const error = await failure(minter({ identity: 'source' }).mint(input()));
      expect(error.code).toBe('FAILED_PRECONDITION');
      expect(error.message).toContain(DATA_SA);
      expect(error.message).toContain(BROKER);
      expect(emulator.calls.length).toBe(before);
    });
  });

  describe('refuses before calling Google', () => {
    it.each([
      ['a scope needing 11 rules', { locations: Array.from({ length: 11 }, (_, i) => ({ url: `gs://bucket-${i}/p`, access: 'read' as const })) }, 'INVALID_ARGUMENT', /at most 10/],
      ['a non-gs location', { locations: [{ url: 's3://bucket/p', access: 'read' as const }] }, 'INVALID_ARGUMENT', /only scopes gs/],
      ['a storage credential without a service account', { storageCredential: { name: 'aws-only', revision: 1 } }, 'FAILED_PRECONDITION', /aws-only/],
      ['a service account that is not an email', { storageCredential: { name: 'odd', revision: 1, gcp: { serviceAccountEmail: 'projects/-/x' } } }, 'FAILED_PRECONDITION', /not a service-account email/],
    ])('%s', async (_name, overrides, code, message) => {
      const before = emulator.calls.length;
      const error = await failure(minter().mint(input(overrides)));
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(emulator.calls.length).toBe(before);
    });
  });

  describe('upstream refusals and failures', () => {
    it('a service account lakegate may not impersonate → UPSTREAM_DENIED naming it', async () => {
      const error = await failure(minter().mint(input({ storageCredential: { name: 'fin', revision: 1, gcp: { serviceAccountEmail: UNTRUSTING_SA } } })));
      expect(error).toMatchObject({ code: 'UPSTREAM_DENIED', details: { upstream: 'iam', reason: 'PERMISSION_DENIED', httpStatus: 403 } });
      expect(error.message).toContain(UNTRUSTING_SA);
      expect(last('iam')).toMatchObject({ status: 403, targetServiceAccount: UNTRUSTING_SA });
      expectNoTokenText(error);
    });

    it('a key Google does not know → UPSTREAM_DENIED (oauth2 invalid_grant)', async () => {
      const stranger: GcpServiceAccountKey = { ...KEY, private_key: pem() };
      const error = await failure(minter({ source: { kind: 'service-account-key', key: stranger } }).mint(input()));
      expect(error).toMatchObject({ code: 'UPSTREAM_DENIED', details: { upstream: 'oauth2', reason: 'invalid_grant', httpStatus: 400 } });
      expect(error.message).toContain(DATA_SA);
      expectNoTokenText(error);
    });

    it.each([
      [401, 'unauthorized_client', 'UPSTREAM_DENIED'],
      [403, 'access_denied', 'UPSTREAM_DENIED'],
      [400, 'invalid_grant', 'UPSTREAM_DENIED'],
      [400, 'invalid_request', 'INVALID_ARGUMENT'],
      [400, 'invalid_target', 'INVALID_ARGUMENT'],
      [429, 'rate_limit_exceeded', 'UPSTREAM_UNAVAILABLE'],
      [500, 'server_error', 'UPSTREAM_UNAVAILABLE'],
      [503, 'temporarily_unavailable', 'UPSTREAM_UNAVAILABLE'],
    ])('STS %i %s → %s, naming the service account', async (status, oauthError, code) => {
      emulator.failNext('sts', status, oauthError);
      const error = await failure(minter().mint(input()));
      expect(error).toMatchObject({ code, details: { upstream: 'sts', reason: oauthError, httpStatus: status } });
      expect(error.message).toContain(DATA_SA);
      expect(last('sts')).toMatchObject({ status, error: oauthError });
      expectNoTokenText(error);
    });

    it('the transport retries a 503 from STS when attempts allow it', async () => {
      const before = emulator.callsTo('sts').length;
      emulator.failNext('sts', 503);
      const result = await minter({ maxAttempts: 2 }).mint(input());
      expect(result.credential.gcp?.oauthToken).toMatch(/^ya29\./);
      expect(emulator.callsTo('sts').slice(before).map((c) => c.status)).toEqual([503, 200]);
    });

    it('a 200 without an access token → UPSTREAM_UNAVAILABLE', async () => {
      emulator.respondNext('sts', JSON.stringify({ issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: 3600 }));
      const error = await failure(minter().mint(input()));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.message).toContain('no access token');
    });

    it('a 200 with a token already expired → UPSTREAM_UNAVAILABLE, without the token in the error', async () => {
      emulator.respondNext('sts', JSON.stringify({ access_token: 'ya29.d.leaked-if-printed', issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: -10 }));
      const error = await failure(minter().mint(input()));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.message).toContain('usable expiry');
      expectNoTokenText(error);
    });

    it('an HTML 502 → UPSTREAM_UNAVAILABLE', async () => {
      emulator.respondNext('sts', '<html><body>Bad gateway</body></html>', 502, 'text/html');
      expect((await failure(minter().mint(input()))).code).toBe('UPSTREAM_UNAVAILABLE');
    });

    it('a dropped connection → UPSTREAM_UNAVAILABLE', async () => {
      emulator.dropNext('sts');
      const error = await failure(minter().mint(input()));
      expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { upstream: 'sts' } });
    });

    it('a timeout → UPSTREAM_UNAVAILABLE', async () => {
      emulator.setLatency(2000);
      const error = await failure(minter({ requestTimeoutMs: 200 }).mint(input()));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.retryable).toBe(true);
    });

    it('nothing listening → UPSTREAM_UNAVAILABLE', async () => {
      const gone = await startGcpEmulator();
      await gone.close();
      const error = await failure(minter({ endpoints: { sts: gone.url, iamCredentials: gone.url, oauth2: gone.url } }).mint(input()));
      expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { upstream: 'oauth2', reason: 'ECONNREFUSED' } });
    });
  });
});

describeMinterConformance('gcp', () => ({
  minter: () => minter(),
  read: () => input(),
  write: () => input({ locations: [{ url: 'gs://data-lake/sales', access: 'write' }] }),
  foreign: () => input({ locations: [{ url: 's3://data-lake/sales', access: 'read' }] }),
}));
