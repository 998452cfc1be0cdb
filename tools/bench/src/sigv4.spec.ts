import { afterEach, describe, expect, it, vi } from 'vitest';
import { sigV4Signature, verifySigV4 } from '../test/sigv4-verifier.js';
import { RollingSignature, signedHeaders, type SignedRequestSpec } from './sigv4.js';

// The edge's pattern for the Authorization header (apps/edge/src/sigv4.ts).
const EDGE_AUTH = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

const spec: SignedRequestSpec = {
  url: 'http://127.0.0.1:43117',
  method: 'POST',
  path: '/GetTemporaryGlueTableCredentials',
  headers: { 'content-type': 'application/json' },
  body: '{"TableArn":"arn:aws:glue:us-east-1:000000000000:table/granted/lf_hit","Permissions":["SELECT"]}',
  region: 'us-east-1',
  service: 'lakeformation',
  credentials: { accessKeyId: 'LKIAABCDEFGHIJKLMNOP', secretAccessKey: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXh4' },
};
const at = new Date(Date.UTC(2026, 10, 22, 6, 4, 5));

describe('signedHeaders', () => {
  it('matches the AWS SigV4 test suite (get-vanilla)', async () => {
    const headers = await signedHeaders(
      { url: 'http://example.amazonaws.com', method: 'GET', path: '/', headers: {}, body: '', region: 'us-east-1', service: 'service', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } },
      new Date(Date.UTC(2015, 7, 30, 12, 36, 0)),
    );
    expect(headers['authorization']).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it('signs host (with the port), content-type and x-amz-date, in the form the edge parses', async () => {
    const headers = await signedHeaders(spec, at);
    expect(headers['host']).toBe('127.0.0.1:43117');
    expect(headers['x-amz-date']).toBe('20261122T060405Z');
    expect(headers['content-type']).toBe('application/json');
    const m = EDGE_AUTH.exec(headers['authorization'] ?? '');
    expect(m?.[1]).toBe('LKIAABCDEFGHIJKLMNOP/20261122/us-east-1/lakeformation/aws4_request');
    expect(m?.[2]).toBe('content-type;host;x-amz-date');
    expect(headers).not.toHaveProperty('x-amz-security-token');
  });

  it('gives the signature an independent SigV4 computation gives, over the body as sent', async () => {
    const headers = await signedHeaders(spec, at);
    const signature = EDGE_AUTH.exec(headers['authorization'] ?? '')?.[3];
    const independent = sigV4Signature({
      method: 'POST',
      path: spec.path,
      headers,
      signedHeaders: ['content-type', 'host', 'x-amz-date'],
      body: spec.body,
      secretAccessKey: spec.credentials.secretAccessKey,
      date: '20261122',
      region: 'us-east-1',
      service: 'lakeformation',
    });
    expect(signature).toBe(independent);
    expect(verifySigV4({ method: 'POST', path: spec.path, headers, body: spec.body }, { [spec.credentials.accessKeyId]: spec.credentials.secretAccessKey })).toEqual({ ok: true, accessKeyId: spec.credentials.accessKeyId });
  });

  it('does not verify with another body, secret, path or port', async () => {
    const headers = await signedHeaders(spec, at);
    const keys = { [spec.credentials.accessKeyId]: spec.credentials.secretAccessKey };
    expect(verifySigV4({ method: 'POST', path: spec.path, headers, body: `${spec.body} ` }, keys).ok).toBe(false);
    expect(verifySigV4({ method: 'POST', path: spec.path, headers, body: spec.body }, { [spec.credentials.accessKeyId]: 'x'.repeat(40) }).ok).toBe(false);
    expect(verifySigV4({ method: 'POST', path: '/GetTemporaryGluePartitionCredentials', headers, body: spec.body }, keys).ok).toBe(false);
    expect(verifySigV4({ method: 'POST', path: spec.path, headers: { ...headers, host: '127.0.0.1:43118' }, body: spec.body }, keys).ok).toBe(false);
  });
});

describe('RollingSignature', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('re-signs every refresh with the current time, and stops', async () => {
    vi.useFakeTimers({ now: at, toFake: ['setInterval', 'clearInterval', 'Date'] });
    const rolling = await RollingSignature.start(spec, 60_000);
    expect(rolling.headers['x-amz-date']).toBe('20261122T060405Z');
    await vi.advanceTimersByTimeAsync(60_000);
    // The refresh signs asynchronously (promises only): let it finish.
    for (let i = 0; i < 50 && rolling.headers['x-amz-date'] === '20261122T060405Z'; i++) await new Promise((r) => setImmediate(r));
    expect(rolling.headers['x-amz-date']).toBe('20261122T060505Z');
    const keys = { [spec.credentials.accessKeyId]: spec.credentials.secretAccessKey };
    expect(verifySigV4({ method: 'POST', path: spec.path, headers: rolling.headers, body: spec.body }, keys).ok).toBe(true);
    rolling.stop();
    await vi.advanceTimersByTimeAsync(180_000);
    expect(rolling.headers['x-amz-date']).toBe('20261122T060505Z');
  });
});
