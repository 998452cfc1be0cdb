import { describeMinterConformance, mintFailure } from '@lakegate/minter-conformance';
import type { StorageLocation } from '@lakegate/contracts';
import type { MintInput } from '@lakegate/minter-core';
import { startStsEmulator, type StsEmulator } from '@lakegate/sts-emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsMinter, PRINCIPAL_TAG_KEY } from './aws-minter.adapter.js';
import type { AwsMinterOptions } from './aws-minter.config.js';
import { roleSessionName, sessionTagValue, sourceIdentity } from './role-session-name.js';
import { buildSessionPolicy } from './session-policy.js';

/** AwsMinter end to end: the real @aws-sdk/client-sts against the loopback STS emulator. */

const ACCESS_KEY_ID = 'AKIDLAKEGATEMINTER01';
const SECRET = 'lakegate-minter-secret/+=';
const ROLE = 'arn:aws:iam::123456789012:role/lakegate-data';
const ROLE_EXTERNAL = 'arn:aws:iam::123456789012:role/lakegate-partner';
const ROLE_SHORT = 'arn:aws:iam::123456789012:role/lakegate-short';
const ROLE_CN = 'arn:aws-cn:iam::123456789012:role/lakegate-cn';
const ROLE_UNKNOWN = 'arn:aws:iam::123456789012:role/not-trusted';
const EXTERNAL_ID = 'partner-ext-4711';

let emulator: StsEmulator;
const minters: AwsMinter[] = [];

const minter = (overrides: Partial<AwsMinterOptions> = {}): AwsMinter => {
  const m = new AwsMinter({
    region: 'us-east-1',
    endpoint: emulator.url,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET },
    roleMaxSessionSeconds: 43200,
    maxAttempts: 1,
    ...overrides,
  });
  minters.push(m);
  return m;
};

const input = (overrides: Partial<MintInput> = {}): MintInput => ({
  requestId: 'req-0001',
  principal: 'alice@example.com',
  locations: [{ url: 's3://data-lake/sales', access: 'read' }],
  storageCredential: { name: 'lake', revision: 1, aws: { roleArn: ROLE } },
  durationSeconds: 3600,
  ...overrides,
});

const failure = mintFailure;

const lastCall = () => {
  const call = emulator.calls.at(-1);
  if (!call) throw new Error('the emulator saw no call');
  return call;
};

beforeAll(async () => {
  emulator = await startStsEmulator({
    accessKeys: { [ACCESS_KEY_ID]: SECRET },
    roles: {
      [ROLE]: { maxSessionDuration: 43200 },
      [ROLE_EXTERNAL]: { externalId: EXTERNAL_ID, maxSessionDuration: 43200 },
      [ROLE_SHORT]: { maxSessionDuration: 1800 },
      [ROLE_CN]: { maxSessionDuration: 43200 },
    },
  });
});

afterEach(() => {
  emulator.setLatency(0);
});

afterAll(async () => {
  for (const m of minters) m.destroy();
  await emulator.close();
});

describe('AwsMinter against the STS emulator', () => {
  it('mints session credentials with the built session policy, session name, source identity and tag', async () => {
    const locations: StorageLocation[] = [
      { url: 's3://data-lake/sales', access: 'read' },
      { url: 's3://data-lake/staging/alice', access: 'write' },
    ];
    const before = Date.now();
    const result = await minter().mint(input({ locations }));
    const call = lastCall();

    expect(call.status).toBe(200);
    expect(result.credential.cloud).toBe('aws');
    expect(result.credential.aws?.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(result.credential.aws?.secretAccessKey).toHaveLength(40);
    expect(result.credential.aws?.sessionToken.length).toBeGreaterThan(100);
    expect(result.credential.expiresAt).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
    expect(result.credential.expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);
    expect(result.upstreamRequestId).toBe(call.requestId);

    expect(call.accessKeyId).toBe(ACCESS_KEY_ID);
    expect(call.region).toBe('us-east-1');
    expect(call.roleArn).toBe(ROLE);
    expect(JSON.parse(call.policy ?? 'null')).toEqual(buildSessionPolicy(locations, { partition: 'aws' }));
    expect(call.roleSessionName).toBe(roleSessionName('alice@example.com', 'req-0001'));
    expect(call.sourceIdentity).toBe(sourceIdentity('alice@example.com'));
    expect(call.sourceIdentity).toBe('alice@example.com');
    expect(call.tags).toEqual([{ key: PRINCIPAL_TAG_KEY, value: sessionTagValue('alice@example.com') }]);
    expect(call.durationSeconds).toBe(3600);
    expect(call.externalId).toBeUndefined();

    const recorded = JSON.stringify(emulator.calls);
    expect(recorded).not.toContain(result.credential.aws?.secretAccessKey);
    expect(recorded).not.toContain(result.credential.aws?.sessionToken);
  });

  it('sends the storage credential’s ExternalId, and a wrong one is denied naming the role', async () => {
    const ok = await minter().mint(input({ storageCredential: { name: 'partner', revision: 3, aws: { roleArn: ROLE_EXTERNAL, externalId: EXTERNAL_ID } } }));
    expect(ok.credential.aws?.accessKeyId).toMatch(/^ASIA/);
    expect(lastCall().externalId).toBe(EXTERNAL_ID);

    const wrong = await failure(minter().mint(input({ storageCredential: { name: 'partner', revision: 3, aws: { roleArn: ROLE_EXTERNAL, externalId: 'guess-1234' } } })));
    expect(wrong.code).toBe('UPSTREAM_DENIED');
    expect(wrong.retryable).toBe(false);
    expect(wrong.message).toContain(ROLE_EXTERNAL);
    expect(lastCall().errorCode).toBe('AccessDenied');

    const missing = await failure(minter().mint(input({ storageCredential: { name: 'partner', revision: 3, aws: { roleArn: ROLE_EXTERNAL } } })));
    expect(missing.code).toBe('UPSTREAM_DENIED');
  });

  it('maps AccessDenied for a role that does not trust lakegate to UPSTREAM_DENIED', async () => {
    const error = await failure(minter().mint(input({ storageCredential: { name: 'x', revision: 1, aws: { roleArn: ROLE_UNKNOWN } } })));
    expect(error).toMatchObject({ code: 'UPSTREAM_DENIED', details: { awsErrorCode: 'AccessDenied', httpStatus: 403, upstreamRequestId: lastCall().requestId } });
    expect(error.message).toContain(ROLE_UNKNOWN);
  });

  it.each([
    [60, 900],
    [899, 900],
    [5400, 5400],
    [50_000, 43200],
  ])('clamps a requested %i s to %i s', async (requested, sent) => {
    const result = await minter().mint(input({ durationSeconds: requested }));
    expect(lastCall().durationSeconds).toBe(sent);
    expect(Math.round((result.credential.expiresAt - lastCall().receivedAt) / 1000)).toBeCloseTo(sent, -1);
  });

  it('clamps to the configured role maximum', async () => {
    await minter({ roleMaxSessionSeconds: 1800 }).mint(input({ storageCredential: { name: 's', revision: 1, aws: { roleArn: ROLE_SHORT } }, durationSeconds: 43200 }));
    expect(lastCall()).toMatchObject({ status: 200, durationSeconds: 1800 });
  });

  it('reports a role maximum configured above the role’s real one as UPSTREAM_DENIED (STS ValidationError: a misconfiguration for an admin to fix, not the caller)', async () => {
    const error = await failure(minter({ roleMaxSessionSeconds: 3600 }).mint(input({ storageCredential: { name: 's', revision: 1, aws: { roleArn: ROLE_SHORT } } })));
    expect(error).toMatchObject({ code: 'UPSTREAM_DENIED', details: { awsErrorCode: 'ValidationError' } });
  });

  it('scopes the policy in the role’s partition', async () => {
    await minter().mint(input({ storageCredential: { name: 'cn', revision: 1, aws: { roleArn: ROLE_CN } } }));
    expect(JSON.parse(lastCall().policy ?? 'null')).toEqual(buildSessionPolicy([{ url: 's3://data-lake/sales', access: 'read' }], { partition: 'aws-cn' }));
  });

  it('includes the configured KMS key', async () => {
    const key = 'arn:aws:kms:us-east-1:123456789012:key/abcd';
    await minter({ kmsKeyArns: { 's3://data-lake': key } }).mint(input({ locations: [{ url: 's3://data-lake/sales', access: 'write' }] }));
    const policy = JSON.parse(lastCall().policy ?? 'null') as { Statement: { Action: string[]; Resource: string[] }[] };
    expect(policy.Statement.filter((s) => String(s.Action).startsWith('kms:'))).toEqual([
      { Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [key] },
      { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Encrypt'], Resource: [key] },
    ]);
  });

  it('gives STS a valid session name and source identity for any principal', async () => {
    const principal = 'svc:etl/nightly job 日本 ' + 'x'.repeat(100);
    await minter().mint(input({ principal, requestId: 'req/with spaces/' + 'y'.repeat(50) }));
    expect(lastCall()).toMatchObject({ status: 200, sourceIdentity: sourceIdentity(principal) });
  });

  describe('refuses before calling STS', () => {
    it.each([
      ['a session policy over 2048 characters', { locations: Array.from({ length: 40 }, (_, i) => ({ url: `s3://bucket-${i}/some/longer/prefix/${i}`, access: 'read' as const })) }, 'INVALID_ARGUMENT', /2048/],
      ['a non-s3 location', { locations: [{ url: 'gs://bucket/p', access: 'read' as const }] }, 'INVALID_ARGUMENT', /only scopes s3/],
      ['a storage credential without a role', { storageCredential: { name: 'azure-only', revision: 1 } }, 'FAILED_PRECONDITION', /azure-only/],
    ])('%s', async (_name, overrides, code, message) => {
      const before = emulator.calls.length;
      const error = await failure(minter().mint(input(overrides)));
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(emulator.calls.length).toBe(before);
    });
  });

  describe('upstream failures', () => {
    it('a 200 body without the AssumeRoleResult wrapper → UPSTREAM_UNAVAILABLE', async () => {
      emulator.respondNext('<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></AssumeRoleResponse>');
      const error = await failure(minter().mint(input()));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('returned no usable credentials');
    });

    it('credentials without a session token → UPSTREAM_UNAVAILABLE, and the secret stays out of the error', async () => {
      const secret = 'SECRETSECRETSECRETSECRETSECRETSECRET1234';
      emulator.respondNext(
        '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>' +
          `<AccessKeyId>ASIAAAAAAAAAAAAAAAAA</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey>` +
          '<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>',
      );
      const error = await failure(minter().mint(input()));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(error.details).toMatchObject({ missing: ['SessionToken'] });
      expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(secret);
    });

    it('a body that is not XML → UPSTREAM_UNAVAILABLE', async () => {
      emulator.respondNext('<html><body>Bad gateway</body>', 502, 'text/html');
      expect((await failure(minter().mint(input()))).code).toBe('UPSTREAM_UNAVAILABLE');
    });

    it.each([
      ['Throttling', 400, 'UPSTREAM_UNAVAILABLE'],
      ['InternalFailure', 500, 'UPSTREAM_UNAVAILABLE'],
      ['ServiceUnavailable', 503, 'UPSTREAM_UNAVAILABLE'],
      ['RegionDisabledException', 403, 'UPSTREAM_DENIED'],
      ['MalformedPolicyDocument', 400, 'INVALID_ARGUMENT'],
      ['PackedPolicyTooLarge', 400, 'INVALID_ARGUMENT'],
    ])('STS %s (HTTP %i) → %s', async (awsCode, status, code) => {
      emulator.failNext(awsCode, status);
      const error = await failure(minter().mint(input()));
      expect(error.code).toBe(code);
      expect(error.message).toContain(ROLE);
    });

    it('the SDK retries a throttled call when attempts allow it', async () => {
      const before = emulator.calls.length;
      emulator.failNext('Throttling', 400);
      const result = await minter({ maxAttempts: 3 }).mint(input());
      expect(result.credential.aws?.accessKeyId).toMatch(/^ASIA/);
      expect(emulator.calls.slice(before).map((c) => c.errorCode ?? c.status)).toEqual(['Throttling', 200]);
    });

    it('a timeout → UPSTREAM_UNAVAILABLE', async () => {
      emulator.setLatency(2000);
      const error = await failure(minter({ requestTimeoutMs: 200 }).mint(input()));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    });

    it('a dropped connection → UPSTREAM_UNAVAILABLE', async () => {
      emulator.dropNext();
      expect((await failure(minter().mint(input()))).code).toBe('UPSTREAM_UNAVAILABLE');
    });

    it('nothing listening → UPSTREAM_UNAVAILABLE', async () => {
      const gone = await startStsEmulator({ accessKeys: {} });
      await gone.close();
      const error = await failure(minter({ endpoint: gone.url }).mint(input()));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    });

    it('lakegate’s own credentials rejected (wrong secret) → UPSTREAM_DENIED', async () => {
      const error = await failure(minter({ credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: 'not-the-secret' } }).mint(input()));
      expect(error).toMatchObject({ code: 'UPSTREAM_DENIED', details: { awsErrorCode: 'SignatureDoesNotMatch' } });
      expect(error.message).not.toContain('not-the-secret');
    });
  });
});

describeMinterConformance('aws', () => ({
  minter: () => minter(),
  read: () => input(),
  write: () => input({ locations: [{ url: 's3://data-lake/sales', access: 'write' }] }),
  foreign: () => input({ locations: [{ url: 'gs://data-lake/sales', access: 'read' }] }),
}));
