import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startSystem, type RunningSystem } from './system.js';

const UC = '/api/2.1/unity-catalog';

describe('Delta Sharing end to end: a recipient reads its profile file and gets directory credentials', () => {
  let system: RunningSystem;
  let profile: { shareCredentialsVersion: number; endpoint: string; bearerToken: string; expirationTime: string };

  const call = async (method: string, url: string, token: string | undefined, body?: unknown) => {
    const res = await fetch(url, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, text, body: (text.startsWith('{') && !text.includes('\n{') ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const admin = (method: string, path: string, body?: unknown) => call(method, `${system.url}${path}`, system.adminToken, body);
  const recipient = (method: string, path: string, body?: unknown) => call(method, `${profile.endpoint}${path}`, profile.bearerToken, body);

  beforeAll(async () => {
    system = await startSystem({ token: `e2e_${randomBytes(24).toString('base64url')}` });
    expect((await admin('POST', `${UC}/shares`, { name: 'Vaccine_Share' })).status).toBe(200);
    expect((await admin('POST', `${UC}/shares`, { name: 'second_share' })).status).toBe(200);
    const update = await admin('PATCH', `${UC}/shares/vaccine_share`, { updates: [{ action: 'ADD', data_object: { name: 'lakegate_demo.default.trips', data_object_type: 'TABLE' } }] });
    expect(update.status).toBe(200);
    const created = await admin('POST', `${UC}/recipients`, { name: 'partner', authentication_type: 'TOKEN' });
    expect(created.status).toBe(200);
    // The way a client does it: the profile file is saved, then read back.
    const file = join(system.dataDir, 'partner.share');
    await writeFile(file, JSON.stringify(created.body['profile']));
    profile = JSON.parse(await readFile(file, 'utf8'));
  });
  afterAll(async () => {
    if (system) {
      expect(await system.interrupt()).toBe(0);
      await removeDir(system.dataDir);
    }
  });

  it('hands out a well-formed profile', () => {
    expect(profile).toMatchObject({ shareCredentialsVersion: 1, endpoint: `${system.url}/delta-sharing` });
    expect(profile.bearerToken).toMatch(/^lgr_/);
    expect(new Date(profile.expirationTime).getTime()).toBeGreaterThan(Date.now());
  });

  it('shows a recipient nothing until it is granted the share', async () => {
    expect((await recipient('GET', '/shares')).body).toEqual({ items: [] });
    expect((await recipient('GET', '/shares/vaccine_share/schemas')).status).toBe(404);
    for (const name of ['Vaccine_Share', 'second_share']) {
      expect((await admin('PATCH', `${UC}/shares/${name}/permissions`, { changes: [{ principal: 'partner', add: ['SELECT'] }] })).status).toBe(200);
    }
  });

  it('lists shares with pagination, and schemas and tables case-insensitively', async () => {
    const first = await recipient('GET', '/shares?maxResults=1');
    expect((first.body['items'] as { name: string }[]).map((s) => s.name)).toEqual(['second_share']);
    const second = await recipient('GET', `/shares?maxResults=1&pageToken=${first.body['nextPageToken']}`);
    expect((second.body['items'] as { name: string }[]).map((s) => s.name)).toEqual(['Vaccine_Share']);
    expect(second.body['nextPageToken']).toBeUndefined();
    expect(await recipient('GET', '/shares?pageToken=garbage')).toMatchObject({ status: 400, body: { errorCode: 'INVALID_PARAMETER_VALUE' } });
    expect((await recipient('GET', '/shares/VACCINE_SHARE/schemas')).body).toEqual({ items: [{ name: 'default', share: 'Vaccine_Share' }] });
    const tables = await recipient('GET', '/shares/vaccine_share/schemas/DEFAULT/tables');
    expect(tables.body['items']).toEqual([expect.objectContaining({ name: 'trips', schema: 'default', share: 'Vaccine_Share' })]);
    expect((await recipient('GET', '/shares/vaccine_share/all-tables')).body['items']).toHaveLength(1);
  });

  it('serves table metadata that advertises directory access, locations and partition columns', async () => {
    const res = await recipient('GET', '/shares/vaccine_share/schemas/default/tables/TRIPS/metadata');
    expect(res.status).toBe(200);
    const [protocol, metaData] = res.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(protocol).toEqual({ protocol: { minReaderVersion: 1 } });
    expect(metaData.metaData).toMatchObject({
      location: 's3://lakegate-demo/tables/trips',
      auxiliaryLocations: ['s3://lakegate-demo/aux/trips'],
      accessModes: ['dir'],
      partitionColumns: ['city'],
    });
    expect(JSON.parse(metaData.metaData.schemaString).fields.map((f: { name: string }) => f.name)).toEqual(['trip_id', 'city']);
  });

  it('vends read credentials for the table root, a path under it, and an auxiliary location — nothing else', async () => {
    const path = '/shares/Vaccine_Share/schemas/Default/tables/Trips/temporary-table-credentials';
    const root = await recipient('POST', path, {});
    expect(root.status).toBe(200);
    expect(root.body['credentials']).toMatchObject({ location: 's3://lakegate-demo/tables/trips', awsTempCredentials: { accessKeyId: expect.stringMatching(/^ASIA/) } });
    expect((root.body['credentials'] as { expirationTime: number }).expirationTime).toBeGreaterThan(Date.now());
    expect(((await recipient('POST', path, { location: 's3://lakegate-demo/aux/trips' })).body['credentials'] as { location: string }).location).toBe('s3://lakegate-demo/aux/trips');
    expect(((await recipient('POST', path, { location: 's3://lakegate-demo/tables/trips/_delta_log' })).body['credentials'] as { location: string }).location).toBe(
      's3://lakegate-demo/tables/trips/_delta_log',
    );
    expect(await recipient('POST', path, { location: 's3://lakegate-demo/tables/trips_archive' })).toMatchObject({ status: 400, body: { errorCode: 'INVALID_PARAMETER_VALUE' } });
    expect(await recipient('POST', path, { location: 's3://lakegate-demo/landing' })).toMatchObject({ status: 400, body: { errorCode: 'INVALID_PARAMETER_VALUE' } });
    expect(await recipient('POST', '/shares/vaccine_share/schemas/default/tables/nope/temporary-table-credentials', {})).toMatchObject({
      status: 404,
      body: { errorCode: 'RESOURCE_DOES_NOT_EXIST' },
    });
    expect(await call('POST', `${profile.endpoint}${path}`, undefined, {})).toMatchObject({ status: 401, body: { errorCode: 'UNAUTHENTICATED' } });
    expect(await recipient('POST', '/shares/vaccine_share/schemas/default/tables/trips/query', {})).toMatchObject({ status: 400, body: { message: expect.stringContaining('directory access') } });
  });

  it('gives a recipient nothing through the other faces', async () => {
    const volume = await admin('GET', `${UC}/volumes/lakegate_demo.default.landing`);
    const res = await call('POST', `${system.url}${UC}/temporary-volume-credentials`, profile.bearerToken, { volume_id: volume.body['volume_id'], operation: 'READ_VOLUME' });
    expect(res.status).toBe(403);
  });
});
