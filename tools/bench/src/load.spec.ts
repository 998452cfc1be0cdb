import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySigV4 } from '../test/sigv4-verifier.js';
import { httpRequestSpec, runHttpLoad } from './load.js';
import { Progress } from './progress.js';
import { signedHeaders, type SignedRequestSpec } from './sigv4.js';

describe('httpRequestSpec', () => {
  it('is a static request (built once) when neither headers nor body change', () => {
    const req = httpRequestSpec({ method: 'GET', path: '/v1/x', headers: { authorization: 'Bearer t' } });
    expect(req).toEqual({ method: 'GET', path: '/v1/x', headers: { authorization: 'Bearer t' } });
    expect(httpRequestSpec({ path: '/p', headers: {}, body: '{}' })).toEqual({ method: 'POST', path: '/p', headers: {}, body: '{}' });
  });

  it('rebuilds per request when headers or body are functions, handing out copies of the headers', () => {
    const shared = { authorization: 'AWS4-HMAC-SHA256 x' };
    const req = httpRequestSpec({ path: '/p', headers: () => shared, body: '{"a":1}' });
    expect(req.headers).toBeUndefined();
    expect(typeof req.setupRequest).toBe('function');
    // autocannon hands setupRequest the request with its static parts (the body here) already merged in.
    expect(req.body).toBe('{"a":1}');
    const setup = req.setupRequest as (r: object, c: object) => { headers: Record<string, string>; body: string };
    const built = setup({ ...req, headers: { other: '1' } }, {});
    expect(built).toMatchObject({ body: '{"a":1}', headers: shared });
    built.headers['Content-Length'] = '7';
    expect(shared).toEqual({ authorization: 'AWS4-HMAC-SHA256 x' });

    let n = 0;
    const bodies = httpRequestSpec({ path: '/p', headers: { a: 'b' }, body: () => String(n++) });
    expect(bodies.headers).toEqual({ a: 'b' });
    const nextBody = bodies.setupRequest as (r: object, c: object) => { body: string };
    expect([nextBody({}, {}).body, nextBody({}, {}).body]).toEqual(['0', '1']);
  });
});

describe('runHttpLoad against a server that checks what it receives', () => {
  const keys = { LKIATESTTESTTESTTEST: 'secret-secret-secret-secret-secret-12345' };
  const seen: { method: string; path: string; verdict: string }[] = [];
  let server: Server;
  let url: string;
  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks)));
    });

  beforeAll(async () => {
    server = createServer((req, res) => {
      void readBody(req).then((body) => {
        const path = req.url ?? '/';
        const verdict = req.headers.authorization?.startsWith('AWS4-') ? verifySigV4({ method: req.method ?? '', path, headers: req.headers, body }, keys) : { ok: req.headers.authorization === 'Bearer t', why: 'bearer' };
        seen.push({ method: req.method ?? '', path, verdict: verdict.ok ? 'ok' : 'why' in verdict ? verdict.why : 'no' });
        res.writeHead(verdict.ok ? 200 : 403, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('sends SigV4-signed POSTs that verify as received (host, body and signature as signed)', async () => {
    seen.length = 0;
    const spec: SignedRequestSpec = {
      url,
      method: 'POST',
      path: '/GetTemporaryGlueTableCredentials',
      headers: { 'content-type': 'application/json' },
      body: '{"TableArn":"arn:aws:glue:us-east-1:000000000000:table/granted/lf_hit"}',
      region: 'us-east-1',
      service: 'lakeformation',
      credentials: { accessKeyId: 'LKIATESTTESTTESTTEST', secretAccessKey: keys.LKIATESTTESTTESTTEST },
    };
    const headers = await signedHeaders(spec);
    for (const dynamic of [false, true]) {
      const stats = await runHttpLoad(
        { label: 'test', url, path: spec.path, headers: dynamic ? () => headers : headers, body: spec.body, connections: 2, durationSec: 10, amount: 20, expectStatus: 200 },
        new Progress(),
      );
      expect(stats.errors).toBe(0);
      expect(stats.ok).toBe(20);
    }
    expect(new Set(seen.map((s) => `${s.method} ${s.path} ${s.verdict}`))).toEqual(new Set(['POST /GetTemporaryGlueTableCredentials ok']));
  });

  it('sends GETs without a body, and counts other statuses as errors', async () => {
    seen.length = 0;
    const good = await runHttpLoad({ label: 'test', url, method: 'GET', path: '/v1/bench/namespaces/granted/tables/t/credentials', headers: { authorization: 'Bearer t' }, connections: 2, durationSec: 10, amount: 10, expectStatus: 200 }, new Progress());
    expect([good.ok, good.errors]).toEqual([10, 0]);
    expect(new Set(seen.map((s) => s.method))).toEqual(new Set(['GET']));
    const bad = await runHttpLoad({ label: 'test', url, method: 'GET', path: '/x', headers: { authorization: 'Bearer wrong' }, connections: 1, durationSec: 10, amount: 5, expectStatus: 200 }, new Progress());
    expect([bad.ok, bad.errors, bad.statusCounts]).toEqual([0, 5, { 403: 5 }]);
  });
});
