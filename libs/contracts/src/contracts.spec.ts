import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CODECS, ERROR_CATALOG, ERROR_CODES, LakegateError, PUBLISHED_SCHEMAS, SUBJECTS, canonicalJson, toJsonSchema, toLakegateError, type VendReply, type VendRequest } from './index.js';

const request: VendRequest = {
  v: 1,
  requestId: 'req-0000001',
  face: 'unity-catalog',
  operation: 'GenerateTemporaryVolumeCredentials',
  caller: { kind: 'assertion', principal: 'ana', authMethod: 'bearer', issuedAt: 1, keyId: 'k1', mac: 'm' },
  target: { kind: 'volume', volumeId: 'v-1' },
  access: 'read',
  source: { ip: '127.0.0.1' },
};

describe('message codecs', () => {
  it('round-trips a vend request and both reply shapes', () => {
    expect(CODECS.vendRequest.decode(CODECS.vendRequest.encode(request))).toEqual(request);
    const ok: VendReply = {
      ok: true,
      requestId: 'req-0000001',
      credential: { cloud: 'aws', aws: { accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 't' }, expiresAt: 5 },
      locations: [{ url: 's3://b/p', access: 'read' }],
      cacheHit: false,
    };
    const failed: VendReply = { ok: false, requestId: 'r', error: { code: 'NOT_FOUND', message: 'gone' } };
    expect(CODECS.vendReply.decode(CODECS.vendReply.encode(ok))).toEqual(ok);
    expect(CODECS.vendReply.decode(CODECS.vendReply.encode(failed))).toEqual(failed);
  });

  it.each([
    ['not JSON', new TextEncoder().encode('{nope')],
    ['an unknown member', new TextEncoder().encode(JSON.stringify({ ...request, extra: 1 }))],
    ['a wrong version', new TextEncoder().encode(JSON.stringify({ ...request, v: 2 }))],
    ['a caller without proof', new TextEncoder().encode(JSON.stringify({ ...request, caller: { kind: 'assertion', principal: 'ana' } }))],
    ['an unknown access', new TextEncoder().encode(JSON.stringify({ ...request, access: 'admin' }))],
    ['a bad request id', new TextEncoder().encode(JSON.stringify({ ...request, requestId: 'a b' }))],
  ])('rejects %s with INVALID_ARGUMENT', (_what, bytes) => {
    expect(() => CODECS.vendRequest.decode(bytes)).toThrow(LakegateError);
    try {
      CODECS.vendRequest.decode(bytes);
    } catch (error) {
      expect((error as LakegateError).code).toBe('INVALID_ARGUMENT');
    }
  });

  it('publishes every message schema as JSON Schema with an $id', () => {
    for (const [file, schema] of Object.entries(PUBLISHED_SCHEMAS)) {
      const json = toJsonSchema(schema);
      expect(json['$schema'], file).toContain('2020-12');
      expect(typeof json['$id'], file).toBe('string');
    }
  });
});

describe('error catalog', () => {
  it('gives every code a status, a retry flag and a message, and keeps 4xx codes non-retryable except conflicts and throttling', () => {
    for (const code of ERROR_CODES) {
      const entry = ERROR_CATALOG[code];
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(600);
      expect(entry.message.length).toBeGreaterThan(5);
      if (entry.status < 500 && entry.retryable) expect(['CONFLICT', 'RESOURCE_EXHAUSTED']).toContain(code);
    }
  });

  it('never exposes the cause of an unknown error', () => {
    const error = toLakegateError(new Error('password=hunter2'));
    expect(error.code).toBe('INTERNAL');
    expect(JSON.stringify(error.toBody())).not.toContain('hunter2');
  });

  it('survives a trip through its wire body, and maps unknown codes to INTERNAL', () => {
    const e = new LakegateError('PERMISSION_DENIED', 'no', { details: { missing: ['READ VOLUME'] } });
    expect(LakegateError.fromBody(e.toBody()).toBody()).toEqual(e.toBody());
    expect(LakegateError.fromBody({ code: 'WHAT' as never, message: 'x' }).code).toBe('INTERNAL');
  });
});

describe('canonicalJson', () => {
  it('is independent of key order and drops undefined members', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(JSON.parse(canonicalJson(obj))).toEqual(JSON.parse(JSON.stringify(obj)));
      }),
    );
    expect(canonicalJson({ b: 1, a: undefined, c: [1, { z: 1, y: 2 }] })).toBe('{"b":1,"c":[1,{"y":2,"z":1}]}');
  });
});

describe('subjects', () => {
  it('keeps audit records and queries on disjoint subjects', () => {
    expect(SUBJECTS.auditLookup.startsWith(SUBJECTS.auditRecordAll.replace('>', ''))).toBe(false);
    expect(SUBJECTS.mint('aws')).toBe('lakegate.v1.mint.aws');
  });
});

describe('docs/schemas', () => {
  it('matches the schemas in code (regenerate with `npm run schemas`)', async () => {
    const { readFile } = await import('node:fs/promises');
    for (const [file, schema] of Object.entries(PUBLISHED_SCHEMAS)) {
      const published = JSON.parse(await readFile(new URL(`../../../docs/schemas/${file}`, import.meta.url), 'utf8'));
      expect(published, file).toEqual(toJsonSchema(schema));
    }
  });
});
