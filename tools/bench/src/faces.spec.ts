import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deltaSharingCredentialsPath, faceObjectNames, icebergCredentialsPath, lakeFormationBody, prepareFaces } from './faces.js';

describe('face requests', () => {
  it('builds the Iceberg and Delta Sharing credential paths as the edge registers them, escaping each segment', () => {
    expect(icebergCredentialsPath({ prefix: 'bench', namespace: 'granted', table: 'iceberg_hit' })).toBe('/v1/bench/namespaces/granted/tables/iceberg_hit/credentials');
    expect(deltaSharingCredentialsPath({ bearerToken: 't', share: 'bench_share_ab12', schema: 'granted', table: 'shared_hit' })).toBe(
      '/delta-sharing/shares/bench_share_ab12/schemas/granted/tables/shared_hit/temporary-table-credentials',
    );
    expect(icebergCredentialsPath({ prefix: 'a/b', namespace: 'c d', table: 'e?f' })).toBe('/v1/a%2Fb/namespaces/c%20d/tables/e%3Ff/credentials');
  });

  it('asks Lake Formation for read credentials on the table', () => {
    expect(JSON.parse(lakeFormationBody({ accessKey: { accessKeyId: 'k', secretAccessKey: 's' }, region: 'us-east-1', tableArn: 'arn:aws:glue:us-east-1:000000000000:table/granted/lf_hit' }))).toEqual({
      TableArn: 'arn:aws:glue:us-east-1:000000000000:table/granted/lf_hit',
      Permissions: ['SELECT'],
    });
  });

  it('names the share and recipient after the run, and only with names the catalog accepts', () => {
    expect(faceObjectNames('ab12cd34')).toEqual({ share: 'bench_share_ab12cd34', recipient: 'bench_recipient_ab12cd34' });
    expect(() => faceObjectNames('a/b')).toThrow();
    expect(() => faceObjectNames('')).toThrow();
  });
});

describe('prepareFaces against a stand-in of the admin API', () => {
  const calls: { method: string; path: string; auth: string; body: unknown }[] = [];
  let failOn: string | undefined;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        const path = req.url ?? '';
        calls.push({ method: req.method ?? '', path, auth: req.headers.authorization ?? '', body: text ? JSON.parse(text) : undefined });
        if (failOn && path.includes(failOn)) {
          res.writeHead(403).end('{"message":"no"}');
          return;
        }
        const answer = path.endsWith('/access-keys')
          ? { accessKeyId: 'LKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'shh', principal: 'demo' }
          : path.endsWith('/recipients')
            ? { name: 'r', profile: { shareCredentialsVersion: 1, endpoint: `${url}/delta-sharing`, bearerToken: 'lgr_token' } }
            : {};
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('creates the access key as the principal, and the share, recipient and grant as the admin', async () => {
    calls.length = 0;
    failOn = undefined;
    const faces = await prepareFaces(url, 'user-token', 'admin-token', 'run1');
    expect(calls.map((c) => [c.method, c.path, c.auth])).toEqual([
      ['POST', '/api/v1/principals/demo/access-keys', 'Bearer user-token'],
      ['POST', '/api/2.1/unity-catalog/shares', 'Bearer admin-token'],
      ['PATCH', '/api/2.1/unity-catalog/shares/bench_share_run1', 'Bearer admin-token'],
      ['POST', '/api/2.1/unity-catalog/recipients', 'Bearer admin-token'],
      ['PATCH', '/api/2.1/unity-catalog/shares/bench_share_run1/permissions', 'Bearer admin-token'],
    ]);
    expect(calls[2]?.body).toEqual({ updates: [{ action: 'ADD', data_object: { name: 'bench.granted.shared_hit', data_object_type: 'TABLE' } }] });
    expect(calls[3]?.body).toEqual({ name: 'bench_recipient_run1', authentication_type: 'TOKEN' });
    expect(calls[4]?.body).toEqual({ changes: [{ principal: 'bench_recipient_run1', add: ['SELECT'] }] });
    expect(faces).toEqual({
      lakeFormation: { accessKey: { accessKeyId: 'LKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'shh' }, region: 'us-east-1', tableArn: 'arn:aws:glue:us-east-1:000000000000:table/granted/lf_hit' },
      deltaSharing: { bearerToken: 'lgr_token', share: 'bench_share_run1', schema: 'granted', table: 'shared_hit' },
      iceberg: { prefix: 'bench', namespace: 'granted', table: 'iceberg_hit' },
    });
  });

  it('fails with the call and the answer when the system refuses', async () => {
    failOn = '/shares';
    await expect(prepareFaces(url, 'user-token', 'user-token', 'run2')).rejects.toThrow(/POST \/api\/2\.1\/unity-catalog\/shares answered 403: \{"message":"no"\}/);
  });
});
