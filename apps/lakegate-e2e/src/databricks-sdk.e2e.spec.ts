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
});
