import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AuditRedactor, DEFAULT_REDACTION_LIMITS, HMAC_PREFIX, TRUNCATED_KEYS_MEMBER, isSecretKeyName, looksLikeSecret } from './redaction.js';

const KEY = new Uint8Array(32).fill(7);
const OTHER_KEY = new Uint8Array(32).fill(8);
const HMAC = /^hmac-sha256:[0-9a-f]{64}$/;

const jwt = [
  Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url'),
  Buffer.from('{"sub":"alice","exp":1900000000}').toString('base64url'),
  'c2lnbmF0dXJlLWJ5dGVzLWhlcmU',
].join('.');
const stsSessionToken = `IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ${'Dk3mQ2xR9vT1pL8sW4nY6bH0cF5gJ7aK'.repeat(8)}==`;
const sasQuery = 'sv=2023-11-03&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&sig=Yq3%2Bk9JfE0pXz5wT%3D';

describe('isSecretKeyName', () => {
  it.each([
    'secret', 'Secret', 'clientSecret', 'client_secret', 'token', 'TOKEN', 'password', 'db_password', 'DB-PASSWORD', 'passWord',
    'sessionToken', 'SessionToken', 'session_token', 'x-amz-security-token', 'X-Amz-Security-Token',
    'secretAccessKey', 'SecretAccessKey', 'secret_access_key', 'AWS_SECRET_ACCESS_KEY',
    'sas', 'SAS', 'sasToken', 'SASToken', 'sas_token', 'SASTOKEN', 'oauthToken', 'oauth_token', 'gcpOauthToken',
    'authorization', 'Authorization', 'proxy-authorization', 'signature', 'X-Amz-Signature', 'sig', 'mac', 'hmac',
    'bearer', 'bearerToken', 'credential', 'credentials', 'Credentials', 'awsCredentials', 'apiKey', 'api_key',
    'privateKey', 'refresh-token', 'cookie', 'Set-Cookie', 'passphrase', 'pwd', 'jwt',
  ])('%s is secret', (key) => {
    expect(isSecretKeyName(key)).toBe(true);
  });

  it.each([
    'accessKeyId', 'AccessKeyId', 'tableArn', 'TableArn', 'DurationSeconds', 'CredentialsScope', 'credentialName',
    'storage_credential_name', 'credentialId', 'tokenType', 'token_id', 'QueryAuthorizationId', 'signatureVersion',
    'authMethod', 'expiration', 'expiresAt', 'url', 'location', 'Permissions', 'SupportedPermissionTypes', 'message',
    'machine', 'massage', 'design', 'sassy', 'signal', 'user', '', '___',
  ])('%s is not secret', (key) => {
    expect(isSecretKeyName(key)).toBe(false);
  });
});

describe('looksLikeSecret', () => {
  it.each([
    ['a JWT', jwt],
    ['a JWT inside text', `token was ${jwt} (expired)`],
    ['a bearer header', `Bearer ${jwt}`],
    ['an opaque bearer header', 'Bearer dGhpcy1pcy1hLWxha2VnYXRlLXRva2Vu'],
    ['a basic header', 'Basic YWxpY2U6aHVudGVyMg=='],
    ['an STS session token', stsSessionToken],
    ['a long opaque token', `${'Ab9'.repeat(40)}==`],
    ['a legacy STS session token', `FwoGZXIvYXdzEBYaDP${'x7Yq2Lp9Vb3Nc5Mr'.repeat(10)}`],
    ['a SAS query string', sasQuery],
    ['a SAS query string with ?', `?${sasQuery}`],
    ['a SAS URL', `https://acct.blob.core.windows.net/c/p?${sasQuery}`],
    ['an S3 presigned URL', 'https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abcdef0123'],
    ['a SigV4 authorization', 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=5d67'],
    ['an OAuth URL', 'https://x/cb?code=1&access_token=abc'],
    ['a Google OAuth token', 'ya29.a0AfH6SMBx3kQ9-example_token'],
    ['an AWS secret access key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['a PEM private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEow...'],
  ])('%s', (_why, value) => {
    expect(looksLikeSecret(value)).toBe(true);
  });

  it.each([
    ['an S3 URL', 's3://bucket/sales/2024'],
    ['an abfss URL', 'abfss://data@acct1.dfs.core.windows.net/x/y'],
    ['a Glue ARN', 'arn:aws:glue:us-east-1:000000000000:table/db/tbl'],
    ['an access key id', 'ASIAIOSFODNN7EXAMPLE'],
    ['an ISO time', '2024-05-01T12:00:00.000Z'],
    ['a UUID', '3f1c2a5e-8d4b-4c1a-9e2f-0a1b2c3d4e5f'],
    ['a git sha', 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3'],
    ['a sentence about bearer tokens', 'bearer tokens are required here'],
    ['a sentence', 'basic information about the signature of the table'],
    ['a long snake_case name', `table_${'partition_'.repeat(20)}2024`],
    ['a long lower-case run', 'x'.repeat(5000)],
    ['a user agent', 'spark/3.5.1 delta-sharing-client/1.0 (Linux; x86_64)'],
    ['an empty string', ''],
    ['an HMAC', `${HMAC_PREFIX}${'a'.repeat(64)}`],
  ])('not %s', (_why, value) => {
    expect(looksLikeSecret(value)).toBe(false);
  });
});

describe('AuditRedactor.hmac and matches', () => {
  const redactor = new AuditRedactor(KEY);

  it('is hmac-sha256:<hex>, stable for one key and different across keys', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const h = redactor.hmac(value);
        expect(h).toMatch(HMAC);
        expect(new AuditRedactor(KEY).hmac(value)).toBe(h);
        expect(new AuditRedactor(OTHER_KEY).hmac(value)).not.toBe(h);
      }),
    );
  });

  it('is HMAC-SHA256 of the UTF-8 value (RFC 4231 test case 1)', () => {
    const r = new AuditRedactor(new Uint8Array(20).fill(0x0b));
    expect(r.hmac('Hi There')).toBe('hmac-sha256:b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
  });

  it('distinguishes different values', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);
        expect(redactor.hmac(a)).not.toBe(redactor.hmac(b));
      }),
    );
  });

  it('matches a value against its stored HMAC and nothing else', () => {
    const stored = redactor.hmac('hunter2');
    expect(redactor.matches('hunter2', stored)).toBe(true);
    expect(redactor.matches('hunter3', stored)).toBe(false);
    expect(new AuditRedactor(OTHER_KEY).matches('hunter2', stored)).toBe(false);
    expect(redactor.matches('hunter2', stored.slice(0, -1))).toBe(false);
    expect(redactor.matches('hunter2', `${stored}0`)).toBe(false);
    expect(redactor.matches('hunter2', 'hunter2')).toBe(false);
    expect(redactor.matches('hunter2', '')).toBe(false);
  });

  it('refuses a short key and keeps its own copy of the key', () => {
    expect(() => new AuditRedactor(new Uint8Array(15))).toThrow(/at least 16 bytes/);
    const key = new Uint8Array(32).fill(1);
    const r = new AuditRedactor(key);
    const before = r.hmac('x');
    key.fill(0);
    expect(r.hmac('x')).toBe(before);
  });
});

describe('AuditRedactor.redactParameters', () => {
  const redactor = new AuditRedactor(KEY);
  const h = (v: string) => redactor.hmac(v);

  it('hashes secrets by key and by shape and keeps the rest', () => {
    const out = redactor.redactParameters({
      TableArn: 'arn:aws:glue:us-east-1:000000000000:table/db/t',
      DurationSeconds: 900,
      CredentialsScope: 'READ',
      password: 'hunter2',
      pin: 1234,
      passcodeNumber: 5,
      sessionToken: 12345678,
      headers: { Authorization: 'Bearer abc', 'X-Amz-Date': '20240101T000000Z' },
      note: jwt,
      link: `https://acct.blob.core.windows.net/c?${sasQuery}`,
      tokens: ['t1', { nested: 't2' }],
      AuditContext: { AdditionalAuditContext: 'job 42' },
      QuerySessionContext: { QueryId: 'q-1', QueryAuthorizationId: 'qa-1' },
      ok: true,
      nothing: null,
    });
    expect(out).toEqual({
      TableArn: 'arn:aws:glue:us-east-1:000000000000:table/db/t',
      DurationSeconds: 900,
      CredentialsScope: 'READ',
      password: h('hunter2'),
      pin: 1234,
      passcodeNumber: 5,
      sessionToken: h('12345678'),
      headers: { Authorization: h('Bearer abc'), 'X-Amz-Date': '20240101T000000Z' },
      note: h(jwt),
      link: h(`https://acct.blob.core.windows.net/c?${sasQuery}`),
      tokens: [h('t1'), { nested: h('t2') }],
      AuditContext: { AdditionalAuditContext: 'job 42' },
      QuerySessionContext: { QueryId: 'q-1', QueryAuthorizationId: 'qa-1' },
      ok: true,
      nothing: null,
    });
  });

  it('hashes a credential string, and inside a credential object keeps only descriptive members', () => {
    const out = redactor.redactParameters({
      credential: 'AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request',
      credentials: {
        accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'sk',
        value: 'opaque',
        expiration: '2030-01-01T00:00:00Z',
        extra: { type: 'x', blob: 'opaque2' },
        list: ['opaque3'],
      },
      credentialName: 'prod-role',
    });
    expect(out).toEqual({
      credential: h('AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request'),
      credentials: {
        accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
        secretAccessKey: h('sk'),
        value: h('opaque'),
        expiration: '2030-01-01T00:00:00Z',
        extra: { type: h('x'), blob: h('opaque2') },
        list: [h('opaque3')],
      },
      credentialName: 'prod-role',
    });
  });

  it('leaves values that are already HMACs alone', () => {
    const once = redactor.redactParameters({ password: 'p', nested: { token: ['a'] } });
    expect(redactor.redactParameters(once)).toEqual(once);
  });

  it('renders non-JSON values and drops what JSON cannot hold', () => {
    const out = redactor.redactParameters({
      u: undefined,
      f: () => 1,
      s: Symbol('x'),
      d: new Date(Date.UTC(2024, 0, 2)),
      bad: new Date(Number.NaN),
      n: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      big: 10n ** 20n,
      bytes: new Uint8Array([1, 2, 3]),
      secretBytes: Buffer.from('hunter2'),
      arr: [undefined, 1],
    });
    expect(out).toEqual({
      d: '2024-01-02T00:00:00.000Z',
      bad: null,
      n: null,
      inf: null,
      big: '100000000000000000000',
      bytes: '[binary 3 bytes]',
      secretBytes: h(Buffer.from('hunter2').toString('base64')),
      arr: [null, 1],
    });
  });

  it('keeps a __proto__ member as data without touching any prototype', () => {
    const out = redactor.redactParameters(JSON.parse('{"__proto__":{"polluted":"yes","token":"t"}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(JSON.stringify(out)).toBe(`{"__proto__":{"polluted":"yes","token":"${h('t')}"}}`);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('hashes a key that itself looks like a secret and cuts long keys after classifying them', () => {
    const out = redactor.redactParameters({ [jwt]: 1, [`${'a'.repeat(300)}Password`]: 'p' });
    const keys = Object.keys(out);
    expect(keys).toContain(h(jwt));
    const long = keys.find((k) => k.startsWith('aaa'));
    expect(long).toBeDefined();
    expect(long!.length).toBeLessThan(160);
    expect(out[long!]).toBe(h('p'));
  });

  describe('limits', () => {
    const nest = (levels: number, leaf: unknown): unknown => {
      let v = leaf;
      for (let i = 0; i < levels; i++) v = { next: v };
      return v;
    };
    const depthOf = (v: unknown): number =>
      v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v as object).map(depthOf)) : 0;

    it('caps nesting at maxDepth levels', () => {
      expect(depthOf(redactor.redactParameters(nest(7, 'leaf') as Record<string, unknown>))).toBe(7);
      const deep = redactor.redactParameters(nest(50, 'leaf') as Record<string, unknown>);
      expect(depthOf(deep)).toBe(DEFAULT_REDACTION_LIMITS.maxDepth);
      expect(JSON.stringify(deep)).toContain('[truncated: nested deeper than 8 levels]');
      expect(JSON.stringify(deep)).not.toContain('leaf');
    });

    it('survives a cyclic object', () => {
      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic['self'] = cyclic;
      expect(() => JSON.stringify(redactor.redactParameters(cyclic))).not.toThrow();
    });

    it('cuts long strings without splitting a surrogate pair', () => {
      const out = redactor.redactParameters({ s: 'x y '.repeat(250_000), e: `${'y'.repeat(2047)}🔑🔑` });
      expect(out['s']).toBe(`${'x y '.repeat(512)}…[truncated ${1_000_000 - 2048} chars]`);
      expect(out['e']).toBe(`${'y'.repeat(2047)}…[truncated 4 chars]`);
    });

    it('caps array items, object members, nodes and total characters', () => {
      const out = redactor.redactParameters({
        arr: Array.from({ length: 10_000 }, (_, i) => i),
        obj: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])),
      });
      const arr = out['arr'] as unknown[];
      expect(arr).toHaveLength(65);
      expect(arr[64]).toBe('[truncated: 9936 more items]');
      const obj = out['obj'] as Record<string, unknown>;
      expect(Object.keys(obj)).toHaveLength(65);
      expect(obj[TRUNCATED_KEYS_MEMBER]).toBe(10_000 - 64);

      const wide = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, Array.from({ length: 60 }, () => 'z'.repeat(2048))]));
      const bounded = JSON.stringify(redactor.redactParameters(wide));
      expect(bounded.length).toBeLessThan(128 * 1024);
    });

    it('keeps the redacted form of any input bounded', () => {
      fc.assert(
        fc.property(fc.dictionary(fc.string(), fc.anything({ maxDepth: 20, maxKeys: 200 })), (input) => {
          expect(JSON.stringify(redactor.redactParameters(input)).length).toBeLessThan(256 * 1024);
        }),
        { numRuns: 50 },
      );
    });
  });
});
