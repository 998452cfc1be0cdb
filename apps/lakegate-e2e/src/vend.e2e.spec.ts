import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODECS, STREAMS, SUBJECTS, type VendRequest } from '@lakegate/contracts';
import { jetstreamManager, requestTyped, type NatsConnection } from '@lakegate/platform-nats';
import { connect } from '@nats-io/transport-node';
import { eventually, removeDir, startSystem, type RunningSystem } from './system.js';
import { ucSchemaValidator } from './uc-openapi.js';

const ucSchema = ucSchemaValidator();

const VOLUME = 'lakegate_demo.default.landing';
const vendPath = '/api/2.1/unity-catalog/temporary-volume-credentials';

describe('lakegate end to end, started as npm start does', () => {
  const token = `e2e_${randomBytes(24).toString('base64url')}`;
  let system: RunningSystem;
  let nc: NatsConnection;
  let volumeId: string;
  const issuedSecrets: string[] = [];

  const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
    fetch(`${system.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  beforeAll(async () => {
    system = await startSystem({ token });
    nc = await connect({ servers: system.natsUrl });
  });

  afterAll(async () => {
    await nc?.close();
    if (system) {
      expect(await system.interrupt()).toBe(0);
      await removeDir(system.dataDir);
    }
  });

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('is ready and healthy', async () => {
    expect((await fetch(`${system.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${system.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', services: { 'lakegate-authz': true, 'lakegate-minter-aws': true } });
  });

  it('publishes one OpenAPI 3.1 document for every route, with the schemas the routes validate with, and renders it', async () => {
    const doc = (await (await fetch(`${system.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string; requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/api/2.1/unity-catalog/temporary-volume-credentials', '/GetTemporaryGlueTableCredentials', '/delta-sharing/shares', '/v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials', '/api/v1/audit/lookup-events']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const ids = Object.values(doc.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    const body = doc.paths['/api/2.1/unity-catalog/temporary-volume-credentials']!['post']!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(body.properties).sort()).toEqual(['operation', 'volume_id']);
    const html = await (await fetch(`${system.url}/docs`)).text();
    expect(html).toContain('GenerateTemporaryVolumeCredentials');
  });

  it('finds the demo volume by its full name', async () => {
    const res = await fetch(`${system.url}/api/2.1/unity-catalog/volumes/${VOLUME}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const volume = (await res.json()) as { volume_id: string; full_name: string; storage_location: string };
    expect(ucSchema('VolumeInfo', volume)).toEqual([]);
    expect(volume).toMatchObject({ full_name: VOLUME, storage_location: 's3://lakegate-demo/landing', volume_type: 'EXTERNAL' });
    volumeId = volume.volume_id;
  });

  it('vends a read credential over the Unity Catalog face', async () => {
    const before = Date.now();
    const res = await post(vendPath, { volume_id: volumeId, operation: 'READ_VOLUME' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { aws_temp_credentials: { access_key_id: string; secret_access_key: string; session_token: string }; expiration_time: number; url: string };
    expect(Object.keys(body).sort()).toEqual(['aws_temp_credentials', 'expiration_time', 'url']);
    expect(ucSchema('TemporaryCredentials', body)).toEqual([]);
    // the validator can fail: a wrong type is caught
    expect(ucSchema('TemporaryCredentials', { ...body, expiration_time: 'soon' })).not.toEqual([]);
    expect(body.url).toBe('s3://lakegate-demo/landing');
    expect(body.aws_temp_credentials.access_key_id).toMatch(/^ASIA/);
    expect(body.aws_temp_credentials.secret_access_key.length).toBeGreaterThan(20);
    expect(body.expiration_time).toBeGreaterThan(before + 10 * 60_000);
    expect(body.expiration_time).toBeLessThan(before + 13 * 3600_000);
    issuedSecrets.push(body.aws_temp_credentials.secret_access_key, body.aws_temp_credentials.session_token);
  });

  it('vends a write credential under /api/2.0 too', async () => {
    const res = await post(vendPath.replace('2.1', '2.0'), { volume_id: volumeId, operation: 'WRITE_VOLUME' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { aws_temp_credentials: { secret_access_key: string; session_token: string } };
    issuedSecrets.push(body.aws_temp_credentials.secret_access_key, body.aws_temp_credentials.session_token);
  });

  it('vends table credentials: read, and read-write', async () => {
    const lookup = await fetch(`${system.url}/api/2.1/unity-catalog/tables/lakegate_demo.default.trips`, { headers: { authorization: `Bearer ${token}` } });
    expect(lookup.status).toBe(200);
    const table = (await lookup.json()) as { table_id: string; storage_location: string };
    expect(ucSchema('TableInfo', table)).toEqual([]);
    for (const operation of ['READ', 'READ_WRITE']) {
      const res = await post('/api/2.1/unity-catalog/temporary-table-credentials', { table_id: table.table_id, operation });
      expect(res.status, operation).toBe(200);
      const body = (await res.json()) as { url: string; aws_temp_credentials: { secret_access_key: string; session_token: string } };
      expect(body.url).toBe('s3://lakegate-demo/tables/trips');
      issuedSecrets.push(body.aws_temp_credentials.secret_access_key, body.aws_temp_credentials.session_token);
    }
  });

  it('vends path credentials only as far as the external-location grants go', async () => {
    const path = '/api/2.1/unity-catalog/temporary-path-credentials';
    const read = await post(path, { url: 's3a://lakegate-demo/raw//2026/', operation: 'PATH_READ' });
    expect(read.status).toBe(200);
    const body = (await read.json()) as { url: string; aws_temp_credentials: { secret_access_key: string; session_token: string } };
    expect(body.url).toBe('s3://lakegate-demo/raw/2026');
    issuedSecrets.push(body.aws_temp_credentials.secret_access_key, body.aws_temp_credentials.session_token);

    const write = await post(path, { url: 's3://lakegate-demo/raw/2026', operation: 'PATH_READ_WRITE' });
    expect(write.status).toBe(403);
    expect(await write.json()).toMatchObject({ error_code: 'PERMISSION_DENIED', message: expect.stringContaining('WRITE FILES') });

    const dry = await post(path, { url: 's3://lakegate-demo/raw/2026', operation: 'PATH_READ', dry_run: true });
    expect(dry.status).toBe(200);
    expect(await dry.json()).toEqual({ url: 's3://lakegate-demo/raw/2026' });

    const overlap = await post(path, { url: 's3://lakegate-demo/landing/x', operation: 'PATH_READ' });
    expect(overlap.status).toBe(400);
    expect(await overlap.json()).toMatchObject({ error_code: 'INVALID_ARGUMENT', message: expect.stringContaining("volume 'lakegate_demo.default.landing'") });
  });

  it('vends through the Iceberg REST credentials endpoint, with its error shapes', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const config = await fetch(`${system.url}/v1/config?warehouse=lakegate_demo`, { headers: auth });
    expect(await config.json()).toMatchObject({ overrides: { prefix: 'lakegate_demo' } });
    const res = await fetch(`${system.url}/v1/lakegate_demo/namespaces/default/tables/trips/credentials`, { headers: auth });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { 'storage-credentials': { prefix: string; config: Record<string, string> }[] };
    expect(body['storage-credentials'].map((c) => c.prefix)).toEqual(['s3://lakegate-demo/tables/trips', 's3://lakegate-demo/aux/trips']);
    const [entry] = body['storage-credentials'];
    expect(Object.keys(entry!.config).sort()).toEqual(
      ['client.refresh-credentials-endpoint', 's3.access-key-id', 's3.secret-access-key', 's3.session-token', 's3.session-token-expires-at-ms'].sort(),
    );
    expect(entry!.config['client.refresh-credentials-endpoint']).toBe('v1/lakegate_demo/namespaces/default/tables/trips/credentials');
    expect(Number(entry!.config['s3.session-token-expires-at-ms'])).toBeGreaterThan(Date.now());
    issuedSecrets.push(entry!.config['s3.secret-access-key']!, entry!.config['s3.session-token']!);

    const missing = await fetch(`${system.url}/v1/lakegate_demo/namespaces/default/tables/nope/credentials`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { message: expect.any(String), type: 'NoSuchTableException', code: 404 } });
    const anonymous = await fetch(`${system.url}/v1/lakegate_demo/namespaces/default/tables/trips/credentials`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { type: 'NotAuthorizedException', code: 401 } });
  });

  it('vends over NATS for an internal service holding its own token', async () => {
    const request: VendRequest = {
      v: 1,
      requestId: randomUUID(),
      face: 'nats',
      operation: 'GenerateTemporaryVolumeCredentials',
      caller: { kind: 'token', token },
      target: { kind: 'volume', volumeId },
      access: 'read',
      source: { userAgent: 'e2e-test' },
    };
    const reply = await requestTyped(nc, SUBJECTS.vend, CODECS.vendRequest.encode(request), CODECS.vendReply, { timeoutMs: 10_000 });
    expect(reply.ok && 'credential' in reply).toBe(true);
    if (reply.ok && 'credential' in reply) {
      expect(reply.requestId).toBe(request.requestId);
      expect(reply.locations).toEqual([{ url: 's3://lakegate-demo/landing', access: 'read' }]);
      issuedSecrets.push(reply.credential.aws!.secretAccessKey, reply.credential.aws!.sessionToken);
    }
  });

  it('carries the caller trace context through every hop into the minter audit record', async () => {
    const traceId = randomBytes(16).toString('hex');
    const res = await post(vendPath, { volume_id: volumeId, operation: 'READ_VOLUME' }, { authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { aws_temp_credentials: { secret_access_key: string; session_token: string } };
    issuedSecrets.push(body.aws_temp_credentials.secret_access_key, body.aws_temp_credentials.session_token);
    const requestId = res.headers.get('x-request-id');
    const jsm = await jetstreamManager(nc);
    const last = await jsm.streams.getMessage(STREAMS.audit, { last_by_subj: SUBJECTS.auditRecord('minter') });
    expect(CODECS.auditRecord.decode(last!.data).requestID).toBe(requestId);
    expect(last!.header.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-`));
  });

  it('vends and reads the audit log through the lakegate CLI', async () => {
    const cli = join(import.meta.dirname, '../../cli/dist/main.js');
    const run = (...args: string[]) => promisify(execFile)(process.execPath, [cli, '--url', system.url, ...args], { env: { ...process.env, LAKEGATE_TOKEN: token } });
    const vended = JSON.parse((await run('vend', '--volume-id', volumeId, '--write')).stdout) as { url: string; aws_temp_credentials: { secret_access_key: string; session_token: string } };
    expect(vended.url).toBe('s3://lakegate-demo/landing');
    issuedSecrets.push(vended.aws_temp_credentials.secret_access_key, vended.aws_temp_credentials.session_token);
    const denied = await run('vend', '--volume-id', 'no-such-volume').then(() => 0, (e: { code: number; stderr: string }) => (expect(e.stderr).toContain('NOT_FOUND'), e.code));
    expect(denied).toBe(1);
    const page = JSON.parse((await run('--token', system.adminToken, 'audit', 'lookup', '--max-results', '1')).stdout) as { Events: unknown[]; NextToken?: string };
    expect(page.Events).toHaveLength(1);
  });

  it('refuses a NATS request that claims an identity without proof', async () => {
    const request = {
      v: 1, requestId: randomUUID(), face: 'nats', operation: 'GenerateTemporaryVolumeCredentials',
      caller: { kind: 'assertion', principal: 'demo', authMethod: 'bearer', issuedAt: Date.now(), keyId: 'forged', mac: 'AAAA' },
      target: { kind: 'volume', volumeId }, access: 'read', source: {},
    };
    const reply = await requestTyped(nc, SUBJECTS.vend, new TextEncoder().encode(JSON.stringify(request)), CODECS.vendReply, { timeoutMs: 10_000 });
    expect(reply).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it.each([
    ['no token', {}, 401, 'UNAUTHENTICATED'],
    ['a wrong token', { authorization: 'Bearer not-a-real-token-at-all' }, 401, 'UNAUTHENTICATED'],
    ['a non-bearer scheme', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, 401, 'UNAUTHENTICATED'],
  ])('answers %s with 401 UNAUTHENTICATED', async (_what, headers, status, code) => {
    const res = await post(vendPath, { volume_id: volumeId, operation: 'READ_VOLUME' }, headers as Record<string, string>);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error_code: code });
  });

  it('answers an unknown volume with 404', async () => {
    const res = await post(vendPath, { volume_id: randomUUID(), operation: 'READ_VOLUME' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error_code: 'NOT_FOUND' });
  });

  it.each([
    ['malformed JSON', '{"volume_id": '],
    ['a missing field', { volume_id: 'x' }],
    ['a wrong type', { volume_id: 42, operation: 'READ_VOLUME' }],
    ['an unknown operation', { volume_id: 'x', operation: 'DELETE_VOLUME' }],
    ['an array', [1, 2]],
  ])('answers %s with 400 INVALID_ARGUMENT', async (_what, body) => {
    const res = await post(vendPath, body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error_code: 'INVALID_ARGUMENT' });
  });

  it('answers a wrong content type and an unknown route in the face format', async () => {
    const res = await fetch(`${system.url}${vendPath}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: 'hello' });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error_code: 'INVALID_ARGUMENT' });
    const missing = await fetch(`${system.url}/api/2.1/unity-catalog/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error_code: 'NOT_FOUND' });
  });

  it('records every call in the audit log, newest first, readable through LookupEvents', async () => {
    const lookup = async (body: unknown) => {
      const res = await post('/api/v1/audit/lookup-events', body, { authorization: `Bearer ${system.adminToken}` });
      expect(res.status).toBe(200);
      return (await res.json()) as { Events: { EventName: string; CloudTrailEvent: string; EventTime: number }[]; NextToken?: string };
    };
    const events = await eventually('the vend events in the audit index', async () => {
      const page = await lookup({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GenerateTemporaryVolumeCredentials' }], MaxResults: 50 });
      return page.Events.length >= 5 + 4 + 2 + 6 ? page.Events : undefined;
    });
    const records = events.map((e) => JSON.parse(e.CloudTrailEvent) as Record<string, unknown>);
    const issued = records.filter((r) => !r['errorCode']);
    expect(issued).toHaveLength(5);
    expect(issued.every((r) => r['stage'] === 'minter' && (r['responseElements'] as { accessKeyId?: string }).accessKeyId?.startsWith('ASIA'))).toBe(true);
    expect(records.filter((r) => r['errorCode'] === 'UNAUTHENTICATED').length).toBe(4);
    expect(records.filter((r) => r['errorCode'] === 'NOT_FOUND')).toHaveLength(2);
    expect(records.filter((r) => r['errorCode'] === 'INVALID_ARGUMENT').length).toBeGreaterThanOrEqual(5);
    const times = events.map((e) => e.EventTime);
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const page1 = await lookup({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GenerateTemporaryVolumeCredentials' }], MaxResults: 2 });
    expect(page1.Events).toHaveLength(2);
    expect(page1.NextToken).toBeTruthy();
    const page2 = await lookup({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GenerateTemporaryVolumeCredentials' }], MaxResults: 2, NextToken: page1.NextToken });
    expect(page2.Events[0]!.CloudTrailEvent).not.toBe(page1.Events[0]!.CloudTrailEvent);
  });

  it('keeps every issued secret out of the audit log, the logs and the JetStream stream', async () => {
    expect(issuedSecrets.length).toBe(18);
    const haystacks: [string, string][] = [];
    const denied = await post('/api/v1/audit/lookup-events', { MaxResults: 50 });
    expect(denied.status).toBe(403);
    const lookup = await post('/api/v1/audit/lookup-events', { MaxResults: 50 }, { authorization: `Bearer ${system.adminToken}` });
    haystacks.push(['audit lookup', await lookup.text()]);
    const logDir = join(system.dataDir, 'logs');
    for (const f of await readdir(logDir)) haystacks.push([`log ${f}`, await readFile(join(logDir, f), 'utf8')]);
    haystacks.push(['audit sqlite', (await readFile(join(system.dataDir, 'audit.sqlite'))).toString('latin1')]);
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(STREAMS.audit);
    expect(info.state.messages).toBeGreaterThan(10);
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(STREAMS.audit, { seq });
      haystacks.push([`stream seq ${seq}`, new TextDecoder().decode(m!.data)]);
    }
    for (const secret of [...issuedSecrets, token, system.adminToken]) {
      for (const [where, text] of haystacks) expect(text.includes(secret), `a secret appears in ${where}`).toBe(false);
    }
    // the haystacks are the real thing: the edge log saw the vend requests, the stream holds the minter's records
    expect(haystacks.some(([w, t]) => w === 'log edge.log' && t.includes('/temporary-volume-credentials'))).toBe(true);
    expect(haystacks.some(([w, t]) => w.startsWith('stream') && t.includes('"stage":"minter"'))).toBe(true);
  });

  it('stops every process it started on Ctrl-C, and starts again on the same data directory with its state', async () => {
    const run = JSON.parse(await readFile(join(system.dataDir, 'run.json'), 'utf8')) as { pids: Record<string, number> };
    const pids = Object.values(run.pids);
    expect(pids.length).toBeGreaterThanOrEqual(10);
    await nc.close();
    expect(await system.interrupt()).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
    system = await startSystem({ token, adminToken: system.adminToken, dataDir: system.dataDir });
    nc = await connect({ servers: system.natsUrl });
    const res = await post('/api/v1/audit/lookup-events', { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GenerateTemporaryVolumeCredentials' }], MaxResults: 50 }, { authorization: `Bearer ${system.adminToken}` });
    expect(((await res.json()) as { Events: unknown[] }).Events.length).toBeGreaterThanOrEqual(17);
    expect((await post(vendPath, { volume_id: volumeId, operation: 'READ_VOLUME' })).status).toBe(200);
  });
});
