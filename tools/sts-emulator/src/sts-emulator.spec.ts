import { AssumeRoleCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStsEmulator, type StsEmulator } from './sts-emulator.js';

const KEY_ID = 'AKIDEMULATORTEST0001';
const SECRET = 'emulator/secret+key=';
const ROLE = 'arn:aws:iam::123456789012:role/data-reader';
const ROLE_EXTERNAL = 'arn:aws:iam::123456789012:role/partner';
const ROLE_LONG = 'arn:aws-us-gov:iam::123456789012:role/path/to/long-sessions';
const EXTERNAL_ID = 'ext-id-0042';

let emulator: StsEmulator;
const clients: STSClient[] = [];

const client = (secretAccessKey = SECRET, accessKeyId = KEY_ID, region = 'us-east-1') => {
  const c = new STSClient({ region, endpoint: emulator.url, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
  clients.push(c);
  return c;
};

const assume = (input: Partial<AssumeRoleCommandInput> = {}, c = client()) =>
  c.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'test-session', ...input }));

/** The AWS error an SDK call failed with: its name (the AWS code) and HTTP status. */
async function awsError(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected the call to fail');
}

/** A hand-signed POST, for what the SDK would never send (old dates, tampered bodies). */
async function signedPost(body: string, opts: { signingDate?: Date; service?: string; tamper?: (b: string) => string; contentHashHeader?: boolean } = {}) {
  const url = new URL(emulator.url);
  const signer = new SignatureV4({ credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET }, region: 'eu-west-1', service: opts.service ?? 'sts', sha256: Sha256, applyChecksum: opts.contentHashHeader ?? false });
  const signed = await signer.sign(
    { method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {}, headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' }, body },
    opts.signingDate ? { signingDate: opts.signingDate } : {},
  );
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k !== 'host'));
  const res = await fetch(emulator.url, { method: 'POST', headers, body: opts.tamper ? opts.tamper(body) : body });
  return { status: res.status, text: await res.text(), requestId: res.headers.get('x-amzn-requestid') };
}

const FORM = `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(ROLE)}&RoleSessionName=hand-signed`;

beforeAll(async () => {
  emulator = await startStsEmulator({
    accessKeys: { [KEY_ID]: SECRET },
    roles: {
      [ROLE]: {},
      [ROLE_EXTERNAL]: { externalId: EXTERNAL_ID },
      [ROLE_LONG]: { maxSessionDuration: 43200 },
    },
  });
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await emulator.close();
});

describe('STS emulator with the real @aws-sdk/client-sts', () => {
  it('issues credentials and records the call without them', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/p/*' }] });
    const before = Date.now();
    const out = await assume({
      Policy: policy,
      DurationSeconds: 1800,
      SourceIdentity: 'alice@example.com',
      Tags: [{ Key: 'lakegate:principal', Value: 'alice@example.com' }],
    });

    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials?.SecretAccessKey).toHaveLength(40);
    expect(out.Credentials?.SessionToken?.length).toBeGreaterThan(100);
    const expiresIn = (out.Credentials?.Expiration?.getTime() ?? 0) - before;
    expect(expiresIn).toBeGreaterThan(1800_000 - 2000);
    expect(expiresIn).toBeLessThan(1800_000 + 2000);
    expect(out.AssumedRoleUser).toEqual({ AssumedRoleId: expect.stringMatching(/^AROA[A-Z2-7]{17}:test-session$/), Arn: 'arn:aws:sts::123456789012:assumed-role/data-reader/test-session' });
    expect(out.SourceIdentity).toBe('alice@example.com');
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect(out.PackedPolicySize).toBeLessThanOrEqual(100);

    const call = emulator.calls.at(-1);
    expect(out.$metadata.requestId).toBe(call?.requestId);
    expect(call).toMatchObject({
      action: 'AssumeRole',
      accessKeyId: KEY_ID,
      region: 'us-east-1',
      roleArn: ROLE,
      roleSessionName: 'test-session',
      durationSeconds: 1800,
      policy,
      sourceIdentity: 'alice@example.com',
      tags: [{ key: 'lakegate:principal', value: 'alice@example.com' }],
      status: 200,
    });
    expect(call?.receivedAt).toBeGreaterThanOrEqual(before);
    const recorded = JSON.stringify(emulator.calls);
    expect(recorded).not.toContain(out.Credentials?.SecretAccessKey);
    expect(recorded).not.toContain(out.Credentials?.SessionToken);
  });

  it('issues distinct credentials every time', async () => {
    const [a, b] = await Promise.all([assume(), assume()]);
    expect(a.Credentials?.AccessKeyId).not.toBe(b.Credentials?.AccessKeyId);
    expect(a.Credentials?.SecretAccessKey).not.toBe(b.Credentials?.SecretAccessKey);
  });

  it('accepts any signing region and names the role path and partition in the assumed-role ARN', async () => {
    const out = await assume({ RoleArn: ROLE_LONG, DurationSeconds: 43200 }, client(SECRET, KEY_ID, 'us-gov-west-1'));
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws-us-gov:sts::123456789012:assumed-role/long-sessions/test-session');
    expect(emulator.calls.at(-1)?.region).toBe('us-gov-west-1');
  });

  describe('authentication', () => {
    it('rejects a wrong secret with SignatureDoesNotMatch (403)', async () => {
      expect(await awsError(assume({}, client('wrong-secret')))).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
      expect(emulator.calls.at(-1)).toMatchObject({ accessKeyId: KEY_ID, status: 403, errorCode: 'SignatureDoesNotMatch' });
    });

    it('rejects an unknown access key with InvalidClientTokenId (403)', async () => {
      expect(await awsError(assume({}, client(SECRET, 'AKIDUNKNOWN000000000')))).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });
    });

    it('accepts a correct hand-signed request', async () => {
      const res = await signedPost(FORM);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIA');
      expect(res.text).toContain(`<RequestId>${res.requestId}</RequestId>`);
    });

    it('rejects a body changed after signing', async () => {
      const res = await signedPost(FORM, { tamper: (b) => b.replace('data-reader', 'partner') });
      expect(res.status).toBe(403);
      expect(res.text).toContain('<Code>SignatureDoesNotMatch</Code>');
      expect(res.text).toContain('<Type>Sender</Type>');
    });

    it('accepts a signed x-amz-content-sha256 that matches the body, and rejects one that does not', async () => {
      expect((await signedPost(FORM, { contentHashHeader: true })).status).toBe(200);
      const res = await signedPost(FORM, { contentHashHeader: true, tamper: (b) => b.replace('data-reader', 'partner') });
      expect(res.status).toBe(400);
      expect(res.text).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    });

    it('rejects a signature scoped to another service', async () => {
      const res = await signedPost(FORM, { service: 's3' });
      expect(res.status).toBe(403);
      expect(res.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    });

    it.each([16, -16])('rejects a request signed %i minutes off with RequestExpired', async (minutes) => {
      const res = await signedPost(FORM, { signingDate: new Date(Date.now() + minutes * 60_000) });
      expect(res.status).toBe(400);
      expect(res.text).toContain('<Code>RequestExpired</Code>');
    });

    it('accepts a request signed 10 minutes off', async () => {
      expect((await signedPost(FORM, { signingDate: new Date(Date.now() - 10 * 60_000) })).status).toBe(200);
    });

    it('rejects an unsigned request', async () => {
      const res = await fetch(emulator.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: FORM });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('<Code>MissingAuthenticationToken</Code>');
    });
  });

  describe('trust and input validation', () => {
    it('requires the role’s ExternalId', async () => {
      expect((await assume({ RoleArn: ROLE_EXTERNAL, ExternalId: EXTERNAL_ID })).Credentials?.AccessKeyId).toMatch(/^ASIA/);
      expect(await awsError(assume({ RoleArn: ROLE_EXTERNAL, ExternalId: 'ext-id-0043' }))).toMatchObject({ name: 'AccessDenied', status: 403 });
      expect(await awsError(assume({ RoleArn: ROLE_EXTERNAL }))).toMatchObject({ name: 'AccessDenied', status: 403 });
    });

    it('denies a role it does not know', async () => {
      const error = await awsError(assume({ RoleArn: 'arn:aws:iam::123456789012:role/other' }));
      expect(error).toMatchObject({ name: 'AccessDenied', status: 403 });
      expect(error.message).toContain('arn:aws:iam::123456789012:role/other');
    });

    it.each([
      ['a session name with a space', { RoleSessionName: 'bad name' }, 'ValidationError'],
      ['a one-character session name', { RoleSessionName: 'x' }, 'ValidationError'],
      ['a 65-character session name', { RoleSessionName: 'x'.repeat(65) }, 'ValidationError'],
      ['DurationSeconds below 900', { DurationSeconds: 899 }, 'ValidationError'],
      ['DurationSeconds above 43200', { RoleArn: ROLE_LONG, DurationSeconds: 43201 }, 'ValidationError'],
      ['DurationSeconds above the role maximum (default 3600)', { DurationSeconds: 3601 }, 'ValidationError'],
      ['a policy over 2048 characters', { Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'x'.repeat(2048) }] }) }, 'ValidationError'],
      ['a policy that is not JSON', { Policy: '{"Version":' }, 'MalformedPolicyDocumentException'],
      ['a policy without statements', { Policy: '{"Version":"2012-10-17"}' }, 'MalformedPolicyDocumentException'],
      ['a source identity with a colon', { SourceIdentity: 'user:alice' }, 'ValidationError'],
      ['a one-character external id', { ExternalId: 'x' }, 'ValidationError'],
      ['a tag key starting with aws:', { Tags: [{ Key: 'aws:foo', Value: 'x' }] }, 'InvalidParameterValue'],
      ['a tag value with a semicolon', { Tags: [{ Key: 'k', Value: 'a;b' }] }, 'ValidationError'],
      ['a role ARN that is not one', { RoleArn: 'arn:aws:s3:::not-a-role-at-all' }, 'ValidationError'],
    ])('rejects %s', async (_name, input, code) => {
      expect(await awsError(assume(input))).toMatchObject({ name: code, status: 400 });
      expect(emulator.calls.at(-1)?.status).toBe(400);
    });

    it('rejects a policy and tags that pack over 100% with PackedPolicyTooLarge', async () => {
      const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::b/${'p'.repeat(1800)}/*` }] });
      const tags = Array.from({ length: 5 }, (_, i) => ({ Key: `k${i}`, Value: 'v'.repeat(200) }));
      expect(await awsError(assume({ Policy: policy, Tags: tags }))).toMatchObject({ name: 'PackedPolicyTooLargeException', status: 400 });
    });

    it('answers an unknown action with InvalidAction', async () => {
      const res = await signedPost('Action=GetFederationToken&Version=2011-06-15&Name=x');
      expect(res.status).toBe(400);
      expect(res.text).toContain('<Code>InvalidAction</Code>');
    });
  });

  describe('fault injection', () => {
    it('failNext answers the next call with the given error, then recovers', async () => {
      emulator.failNext('Throttling', 400, 'Rate exceeded');
      expect(await awsError(assume())).toMatchObject({ name: 'Throttling', status: 400, message: 'Rate exceeded' });
      expect((await assume()).Credentials).toBeDefined();
    });

    it('respondNext sends a raw body: without the result wrapper the SDK returns no credentials', async () => {
      emulator.respondNext('<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"></AssumeRoleResponse>');
      const out = await assume();
      expect(out.Credentials).toBeUndefined();
    });

    it('dropNext closes the connection without an answer', async () => {
      emulator.dropNext();
      const error = await awsError(assume());
      expect(error.status).toBeUndefined();
      expect(emulator.calls.at(-1)).toMatchObject({ status: 0, errorCode: 'ConnectionDropped' });
    });

    it('setLatency delays every answer', async () => {
      emulator.setLatency(150);
      const start = performance.now();
      await assume();
      emulator.setLatency(0);
      expect(performance.now() - start).toBeGreaterThanOrEqual(140);
    });
  });

  describe('emulator endpoints', () => {
    it('GET /_emulator/health and /_emulator/calls serve JSON', async () => {
      const health = await fetch(`${emulator.url}/_emulator/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true, calls: emulator.calls.length });
      const calls = (await (await fetch(`${emulator.url}/_emulator/calls`)).json()) as unknown[];
      expect(calls).toEqual(JSON.parse(JSON.stringify(emulator.calls)));
    });
  });
});

describe('an emulator without a role list', () => {
  it('lets any well-formed role be assumed, up to 43200 s', async () => {
    const open = await startStsEmulator({ accessKeys: { [KEY_ID]: SECRET } });
    const c = new STSClient({ region: 'us-east-1', endpoint: open.url, credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET }, maxAttempts: 1 });
    try {
      const out = await c.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::999999999999:role/anything', RoleSessionName: 's1', DurationSeconds: 43200 }));
      expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    } finally {
      c.destroy();
      await open.close();
    }
  });
});
