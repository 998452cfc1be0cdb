import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AUDIT_EVENT_SOURCE, AUDIT_EVENT_VERSION, AUDIT_STAGES, CODECS, type VendedCredential } from '@lakegate/contracts';
import { RESPONSE_ELEMENTS_ALLOW_LIST, buildAuditRecord, responseElementsForCredential, type AuditRecordInput } from './audit-record.builder.js';
import { AuditRedactor } from './redaction.js';

const redactor = new AuditRedactor(new Uint8Array(32).fill(42));
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const base = (over: Partial<AuditRecordInput> = {}): AuditRecordInput => ({
  stage: 'minter',
  eventName: 'GetTemporaryGlueTableCredentials',
  requestId: 'req-00000001',
  region: 'us-east-1',
  userIdentity: { type: 'LakegateUser', principalId: 'alice', userName: 'alice', accessKeyId: 'LGAKEXAMPLE', authMethod: 'sigv4' },
  readOnly: true,
  ...over,
});

const awsCredential: VendedCredential = {
  cloud: 'aws',
  aws: { accessKeyId: 'ASIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'FwoGZXIvYXdzEXAMPLEsessiontoken' },
  expiresAt: Date.UTC(2030, 0, 1, 12, 0, 0),
};
const azureCredential: VendedCredential = {
  cloud: 'azure',
  azure: { sasToken: 'sv=2023-11-03&sr=d&sdd=2&sp=rl&sig=Zm9vYmFy', accountHost: 'acct1.dfs.core.windows.net' },
  expiresAt: Date.UTC(2030, 0, 1, 12, 0, 0),
};
const gcpCredential: VendedCredential = { cloud: 'gcp', gcp: { oauthToken: 'ya29.c.EXAMPLEoauthtoken' }, expiresAt: Date.UTC(2030, 0, 1, 12, 0, 0) };
const locations = [{ url: 's3://bucket/sales/2024', access: 'read' as const }];

describe('buildAuditRecord', () => {
  it('fills the CloudTrail envelope and validates against the AuditRecord schema', () => {
    const record = buildAuditRecord(
      base({
        eventId: 'e-1',
        eventTime: new Date(Date.UTC(2024, 4, 1, 12, 0, 0, 123)),
        sourceIPAddress: '10.0.0.1',
        userAgent: 'spark/3.5.1',
        resources: [{ type: 'AWS::Glue::Table', name: 'arn:aws:glue:us-east-1:000000000000:table/db/t' }],
      }),
      redactor,
    );
    expect(CODECS.auditRecord.check(record)).toBe(record);
    expect(record).toEqual({
      eventVersion: AUDIT_EVENT_VERSION,
      userIdentity: { type: 'LakegateUser', principalId: 'alice', userName: 'alice', accessKeyId: 'LGAKEXAMPLE', authMethod: 'sigv4' },
      eventTime: '2024-05-01T12:00:00.123Z',
      eventSource: AUDIT_EVENT_SOURCE,
      eventName: 'GetTemporaryGlueTableCredentials',
      region: 'us-east-1',
      sourceIPAddress: '10.0.0.1',
      userAgent: 'spark/3.5.1',
      requestParameters: null,
      responseElements: null,
      additionalEventData: {},
      requestID: 'req-00000001',
      eventID: 'e-1',
      readOnly: true,
      resources: [{ type: 'AWS::Glue::Table', name: 'arn:aws:glue:us-east-1:000000000000:table/db/t' }],
      eventType: 'AwsApiCall',
      stage: 'minter',
    });
  });

  it('defaults eventID to a fresh UUID v4 and eventTime to now', () => {
    const before = Date.now();
    const a = buildAuditRecord(base(), redactor);
    const b = buildAuditRecord(base(), redactor);
    expect(a.eventID).toMatch(UUID_V4);
    expect(b.eventID).toMatch(UUID_V4);
    expect(a.eventID).not.toBe(b.eventID);
    const t = Date.parse(a.eventTime);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it.each(AUDIT_STAGES)('records stage %s', (stage) => {
    expect(CODECS.auditRecord.check(buildAuditRecord(base({ stage }), redactor)).stage).toBe(stage);
  });

  it('rejects an invalid eventTime', () => {
    expect(() => buildAuditRecord(base({ eventTime: new Date(Number.NaN) }), redactor)).toThrow(RangeError);
  });

  it('records errors, redacting a secret echoed in the message', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
    const record = buildAuditRecord(base({ readOnly: false, error: { code: 'UNAUTHENTICATED', message: `bad token ${jwt}` } }), redactor);
    expect(record.errorCode).toBe('UNAUTHENTICATED');
    expect(record.errorMessage).toBe(redactor.hmac(`bad token ${jwt}`));
    expect(record.readOnly).toBe(false);
    expect(JSON.stringify(record)).not.toContain(jwt);
  });

  it('redacts secret-shaped identity, user agent and resource strings', () => {
    const record = buildAuditRecord(
      base({
        userAgent: 'Bearer c2VjcmV0LWJlYXJlci10b2tlbi12YWx1ZQ',
        resources: [{ type: 'AWS::S3::Object', name: 'https://a.blob.core.windows.net/c/p?sv=1&sig=abc' }],
        userIdentity: { type: 'Anonymous', principalId: 'x'.repeat(5000) },
      }),
      redactor,
    );
    expect(record.userAgent).toBe(redactor.hmac('Bearer c2VjcmV0LWJlYXJlci10b2tlbi12YWx1ZQ'));
    expect(record.resources[0]?.name).toMatch(/^hmac-sha256:/);
    expect(String(record.userIdentity['principalId']).length).toBeLessThan(2100);
    CODECS.auditRecord.check(record);
  });

  it('keeps only allow-listed response elements', () => {
    const record = buildAuditRecord(
      base({
        responseElements: {
          AccessKeyId: 'ASIA-upper-case-is-not-allowed',
          accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
          secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          SecretAccessKey: 'S2',
          sessionToken: 'T1',
          SessionToken: 'T2',
          sasToken: 'S3',
          oauthToken: 'O1',
          credentials: { accessKeyId: 'A', secretAccessKey: 'S4' },
          expiration: '2030-01-01T12:00:00.000Z',
          expiresAt: 1_893_499_200_000,
          credentialType: 'aws',
          vendedLocations: ['s3://bucket/a'],
          locations: [{ url: 's3://bucket/a', access: 'read' }],
          url: 's3://bucket/a',
          anythingElse: 'dropped',
        },
      }),
      redactor,
    );
    expect(Object.keys(record.responseElements ?? {}).sort()).toEqual([...RESPONSE_ELEMENTS_ALLOW_LIST].sort());
    const json = JSON.stringify(record);
    for (const dropped of ['wJalrXUtnFEMI', 'S2', 'T1', 'T2', 'S3', 'O1', 'S4', 'dropped', 'ASIA-upper']) expect(json).not.toContain(`"${dropped}`);
    expect(record.responseElements).toMatchObject({ accessKeyId: 'ASIAIOSFODNN7EXAMPLE', url: 's3://bucket/a', expiresAt: 1_893_499_200_000 });
  });

  it('redacts inside allow-listed response elements too', () => {
    const signed = 'https://a.blob.core.windows.net/c/p?sv=1&sig=abc';
    const record = buildAuditRecord(base({ responseElements: { url: signed, locations: [{ url: 's3://b/p', sasToken: 'S' }] } }), redactor);
    expect(record.responseElements).toEqual({ url: redactor.hmac(signed), locations: [{ url: 's3://b/p', sasToken: redactor.hmac('S') }] });
  });

  it('redacts request parameters and additional event data', () => {
    const record = buildAuditRecord(
      base({
        requestParameters: { TableArn: 'arn:aws:glue:us-east-1:000000000000:table/db/t', Authorization: 'secret-header' },
        additionalEventData: { cacheHit: true, upstreamRequestId: 'u-1', querySessionContext: { QueryId: 'q' }, token: 'T' },
      }),
      redactor,
    );
    expect(record.requestParameters).toEqual({ TableArn: 'arn:aws:glue:us-east-1:000000000000:table/db/t', Authorization: redactor.hmac('secret-header') });
    expect(record.additionalEventData).toEqual({ cacheHit: true, upstreamRequestId: 'u-1', querySessionContext: { QueryId: 'q' }, token: redactor.hmac('T') });
  });
});

describe('responseElementsForCredential', () => {
  it.each([
    ['aws', awsCredential, { credentialType: 'aws', accessKeyId: 'ASIAIOSFODNN7EXAMPLE', expiration: '2030-01-01T12:00:00.000Z', locations }],
    ['azure', azureCredential, { credentialType: 'azure', expiration: '2030-01-01T12:00:00.000Z', locations }],
    ['gcp', gcpCredential, { credentialType: 'gcp', expiration: '2030-01-01T12:00:00.000Z', locations }],
  ])('%s: identifiers and expiry only', (_cloud, cred, expected) => {
    const elements = responseElementsForCredential(cred, locations);
    expect(elements).toEqual(expected);
    const record = CODECS.auditRecord.check(buildAuditRecord(base({ responseElements: elements }), redactor));
    expect(record.responseElements).toEqual(expected);
    const json = JSON.stringify(record);
    for (const secret of ['wJalrXUtnFEMI', 'FwoGZXIvYXdzEXAMPLE', 'sig=Zm9vYmFy', 'ya29.c.EXAMPLE']) expect(json).not.toContain(secret);
  });
});

describe('secrets never survive into a record', () => {
  const SECRET_KEYS = [
    'secret', 'Secret', 'clientSecret', 'client_secret', 'token', 'TOKEN', 'password', 'db_password', 'DB-PASSWORD',
    'sessionToken', 'SessionToken', 'session_token', 'x-amz-security-token', 'X-Amz-Security-Token', 'secretAccessKey',
    'SecretAccessKey', 'secret_access_key', 'sas', 'sasToken', 'SASToken', 'sas-token', 'oauthToken', 'OAuthToken',
    'oauth_token', 'authorization', 'Authorization', 'signature', 'X-Amz-Signature', 'credential', 'Credentials',
    'bearer', 'mac', 'sig', 'apiKey', 'privateKey', 'refresh-token', 'cookie',
  ];
  // Filler names describe nothing, so nothing under a secret key is let through as a description.
  const FILLER_KEYS = ['data', 'nested', 'items', 'value', 'x1', 'Params', 'inner-thing', 'payload'];
  const ALPHABET = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_.~!:% ', 'é', '漢', '🔑'];
  // Longer than any filler string, so a secret can only appear if it leaked.
  const secretArb = fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 10, maxLength: 60 }).map((s) => `Zq${s}`);
  const fillerArb = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null));
  const stepArb = fc.oneof(fc.constantFrom(...FILLER_KEYS), fc.constant('[]'));
  const wrapArb = fc.constantFrom('string', 'array', 'object', 'deepArray');
  const placementArb = fc.record({
    path: fc.array(stepArb, { maxLength: 12 }),
    key: fc.constantFrom(...SECRET_KEYS),
    wrap: wrapArb,
    secret: secretArb,
    filler: fillerArb,
  });
  type Placement = { path: string[]; key: string; wrap: string; secret: string; filler: unknown };

  const wrap = (p: Placement): unknown => {
    switch (p.wrap) {
      case 'array':
        return [p.filler, p.secret];
      case 'object':
        return { [FILLER_KEYS[0]!]: p.secret, other: p.filler };
      case 'deepArray':
        return [[{ value: [p.secret] }]];
      default:
        return p.secret;
    }
  };
  const place = (p: Placement): unknown => {
    let node: unknown = { [p.key]: wrap(p), keep: p.filler };
    for (const step of [...p.path].reverse()) node = step === '[]' ? [p.filler, node] : { [step]: node, sibling: p.filler };
    return node;
  };

  it('under secret-looking keys at any depth, in every caller-controlled part of the record', () => {
    fc.assert(
      fc.property(fc.array(placementArb, { minLength: 1, maxLength: 8 }), (placements) => {
        const tree: Record<string, unknown> = {};
        placements.forEach((p, i) => (tree[`p${i}`] = place(p)));
        const record = buildAuditRecord(
          base({ requestParameters: tree, additionalEventData: { ctx: tree }, responseElements: { locations: tree, ...tree } }),
          redactor,
        );
        CODECS.auditRecord.check(record);
        const json = JSON.stringify(record);
        for (const p of placements) expect(json).not.toContain(p.secret);
      }),
      { numRuns: 300 },
    );
  });

  it('when their shape gives them away, under any key', () => {
    const b64url = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 16, maxLength: 80 });
    const shaped = fc.oneof(
      fc.tuple(b64url, b64url, b64url).map(([h, p, s]) => ({ secret: `${h}.${p}.${s}`, value: `eyJ${h}.${p}.${s}` })),
      b64url.map((s) => ({ secret: s, value: `Bearer ${s}` })),
      b64url.map((s) => ({ secret: s, value: `https://acct1.blob.core.windows.net/c/p?sv=2023-11-03&sr=d&sp=rl&sig=${s}` })),
      b64url.map((s) => ({ secret: s, value: `sv=2023-11-03&se=2030-01-01&sig=${s}` })),
      b64url.map((s) => ({ secret: s, value: `https://b.s3.amazonaws.com/k?X-Amz-Security-Token=${s}&X-Amz-Signature=00` })),
      fc.tuple(b64url, b64url).map(([a, b]) => ({ secret: `${a}${b}`, value: `IQoJb3JpZ2luX2VjE9${a}${b}${'Kq7Lm2Np4Rs6Tu8Vw0'.repeat(5)}` })),
    );
    fc.assert(
      fc.property(fc.constantFrom(...FILLER_KEYS, 'note', 'description', 'location'), shaped, fc.array(stepArb, { maxLength: 6 }), (key, s, path) => {
        let node: unknown = { [key]: s.value };
        for (const step of path) node = step === '[]' ? [node] : { [step]: node };
        const record = buildAuditRecord(base({ requestParameters: { root: node }, userAgent: s.value, error: { code: 'INTERNAL', message: s.value } }), redactor);
        expect(JSON.stringify(record)).not.toContain(s.secret);
      }),
      { numRuns: 300 },
    );
  });

  it('is a property that can fail: a plain key keeps its value', () => {
    const record = buildAuditRecord(base({ requestParameters: { note: 'Zqvisible-value' } }), redactor);
    expect(JSON.stringify(record)).toContain('Zqvisible-value');
  });
});

describe('records for arbitrary inputs', () => {
  it('always validate against the AuditRecord schema, also after a JSON round trip', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 12 })),
        fc.dictionary(fc.string(), fc.anything({ maxDepth: 6 })),
        fc.option(fc.dictionary(fc.string(), fc.jsonValue()), { nil: null }),
        fc.string(),
        (params, extra, response, text) => {
          const record = buildAuditRecord(
            base({ requestParameters: params, additionalEventData: extra, responseElements: response, userAgent: text, error: { code: 'INTERNAL', message: text } }),
            redactor,
          );
          CODECS.auditRecord.check(record);
          CODECS.auditRecord.check(JSON.parse(JSON.stringify(record)));
        },
      ),
      { numRuns: 200 },
    );
  });
});
