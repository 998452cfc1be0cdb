import { randomBytes } from 'node:crypto';
import { WorkspaceClient } from '@databricks/sdk-experimental';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startSystem, type RunningSystem } from './system.js';

describe('Unity Catalog face with the real Databricks SDK client', () => {
  const token = `e2e_${randomBytes(24).toString('base64url')}`;
  let system: RunningSystem;
  let client: WorkspaceClient;
  let tableId: string;

  beforeAll(async () => {
    system = await startSystem({ token });
    client = new WorkspaceClient({ host: system.url, token, authType: 'pat' });
    const res = await fetch(`${system.url}/api/2.1/unity-catalog/tables/lakegate_demo.default.trips`, { headers: { authorization: `Bearer ${token}` } });
    tableId = ((await res.json()) as { table_id: string }).table_id;
  });
  afterAll(async () => {
    if (system) {
      expect(await system.interrupt()).toBe(0);
      await removeDir(system.dataDir);
    }
  });

  it('generates temporary table credentials', async () => {
    const out = await client.temporaryTableCredentials.generateTemporaryTableCredentials({ table_id: tableId, operation: 'READ_WRITE' });
    expect(out.aws_temp_credentials?.access_key_id).toMatch(/^ASIA/);
    expect(out.url).toBe('s3://lakegate-demo/tables/trips');
    expect(Number(out.expiration_time)).toBeGreaterThan(Date.now());
  });

  it('generates temporary path credentials, and answers a dry run and a denial the way the SDK expects', async () => {
    const out = await client.temporaryPathCredentials.generateTemporaryPathCredentials({ url: 's3://lakegate-demo/raw/2026', operation: 'PATH_READ' });
    expect(out.aws_temp_credentials?.session_token).toBeTruthy();
    expect(out.url).toBe('s3://lakegate-demo/raw/2026');
    const dry = await client.temporaryPathCredentials.generateTemporaryPathCredentials({ url: 's3://lakegate-demo/raw/2026', operation: 'PATH_READ', dry_run: true });
    expect(dry.aws_temp_credentials).toBeUndefined();
    await expect(client.temporaryPathCredentials.generateTemporaryPathCredentials({ url: 's3://lakegate-demo/raw/2026', operation: 'PATH_READ_WRITE' })).rejects.toMatchObject({
      errorCode: 'PERMISSION_DENIED',
    });
  });

  it('creates a catalog, schema, table and volume through the SDK, owned by their creator, and vends for them', async () => {
    const admin = new WorkspaceClient({ host: system.url, token: system.adminToken, authType: 'pat' });
    const headers = { authorization: `Bearer ${system.adminToken}`, 'content-type': 'application/json' };
    expect((await fetch(`${system.url}/api/2.1/unity-catalog/external-locations`, { method: 'POST', headers, body: JSON.stringify({ name: 'sdk-lake', url: 's3://sdk-bucket/data', credential_name: 'demo-s3' }) })).status).toBe(200);
    const catalog = await admin.catalogs.create({ name: 'sdk_cat', comment: 'made by the SDK' });
    expect(catalog).toMatchObject({ name: 'sdk_cat', owner: 'admin' });
    await admin.schemas.create({ name: 'raw', catalog_name: 'sdk_cat' });
    const table = await admin.tables.create({
      name: 'events', catalog_name: 'sdk_cat', schema_name: 'raw', table_type: 'EXTERNAL', data_source_format: 'DELTA', storage_location: 's3a://SDK-BUCKET/data/events/',
      columns: [{ name: 'id', type_name: 'LONG', type_text: 'bigint', type_json: '{}', position: 0, nullable: true }] as never,
    } as never);
    expect(table).toMatchObject({ full_name: 'sdk_cat.raw.events', storage_location: 's3://sdk-bucket/data/events', owner: 'admin' });
    const volume = await admin.volumes.create({ catalog_name: 'sdk_cat', schema_name: 'raw', name: 'files', volume_type: 'EXTERNAL', storage_location: 's3://sdk-bucket/data/files' });
    expect(volume.volume_id).toBeTruthy();
    const listed: string[] = [];
    for await (const v of admin.volumes.list({ catalog_name: 'sdk_cat', schema_name: 'raw' })) listed.push(v.full_name ?? '');
    expect(listed).toEqual(['sdk_cat.raw.files']);
    // the owner needs EXTERNAL USE SCHEMA like anyone else; the catalog owner (admin) grants it to itself
    const grant = await fetch(`${system.url}/api/2.1/unity-catalog/permissions/schema/sdk_cat.raw`, { method: 'PATCH', headers, body: JSON.stringify({ changes: [{ principal: 'admin', add: ['EXTERNAL_USE_SCHEMA'] }] }) });
    expect(grant.status).toBe(200);
    const creds = await admin.temporaryTableCredentials.generateTemporaryTableCredentials({ table_id: table.table_id!, operation: 'READ' });
    expect(creds.url).toBe('s3://sdk-bucket/data/events');
    // a volume inside the table's location is refused
    await expect(admin.volumes.create({ catalog_name: 'sdk_cat', schema_name: 'raw', name: 'inside', volume_type: 'EXTERNAL', storage_location: 's3://sdk-bucket/data/events/x' })).rejects.toMatchObject({ errorCode: 'INVALID_ARGUMENT' });
    // demo may not create catalogs
    await expect(client.catalogs.create({ name: 'nope' })).rejects.toMatchObject({ errorCode: 'PERMISSION_DENIED' });
    await admin.volumes.delete({ name: 'sdk_cat.raw.files' });
    await expect(admin.volumes.read({ name: 'sdk_cat.raw.files' })).rejects.toMatchObject({ errorCode: 'NOT_FOUND' });
  });
});
