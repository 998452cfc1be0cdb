import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, lookupEvents, removeDir, startSystem, type RunningSystem } from './system.js';

const UC = '/api/2.1/unity-catalog';

/** A plain HTTPS call to Azurite with the vended SAS, trusting the emulator's CA only. */
function blob(method: 'PUT' | 'GET', url: string, ca: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, ca, headers: { 'x-ms-version': '2025-11-05', ...(method === 'PUT' ? { 'x-ms-blob-type': 'BlockBlob', 'content-length': Buffer.byteLength(body ?? '') } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('every cloud end to end: the vended credential works exactly as far as the grant', () => {
  const token = `e2e_${randomBytes(24).toString('base64url')}`;
  let system: RunningSystem;
  let run: { azureBlobEndpoint: string; azureCaFile: string; gcpUrl: string; stsUrl: string };

  const vend = async (volume: string, operation: 'READ_VOLUME' | 'WRITE_VOLUME') => {
    const info = (await (await fetch(`${system.url}${UC}/volumes/lakegate_demo.default.${volume}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { volume_id: string };
    const res = await fetch(`${system.url}${UC}/temporary-volume-credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ volume_id: info.volume_id, operation }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, Record<string, string>> & { url: string; expiration_time: number };
  };

  beforeAll(async () => {
    // A small per-principal limit, so the last test can reach it (the tests before stay under it).
    system = await startSystem({ token, extraEnv: { LAKEGATE_RATE_LIMIT_PER_SECOND: '1', LAKEGATE_RATE_LIMIT_BURST: '40' } });
    run = JSON.parse(await readFile(join(system.dataDir, 'run.json'), 'utf8'));
  });
  afterAll(async () => {
    if (system) {
      expect(await system.interrupt()).toBe(0);
      await removeDir(system.dataDir);
    }
  });

  it('Azure: a write SAS writes to the container in Azurite, a read SAS reads but cannot write, another container is refused', async () => {
    const ca = await readFile(run.azureCaFile, 'utf8');
    const container = run.azureBlobEndpoint.replace('{account}', 'lakegatedemo') + '/landing';
    const write = await vend('landing_azure', 'WRITE_VOLUME');
    expect(write.url).toBe('abfss://landing@lakegatedemo.dfs.core.windows.net');
    const writeSas = write['azure_user_delegation_sas']!['sas_token']!;
    expect(writeSas).toContain('sp=racwdl');
    // A container SAS cannot create its container (the emulator stack created it at start-up).
    expect((await blob('PUT', `${container}x?restype=container&${writeSas}`, ca)).status).toBe(403);
    const put = await blob('PUT', `${container}/hello.txt?${writeSas}`, ca, 'hello from lakegate');
    expect(put.status, put.text).toBe(201);

    const read = await vend('landing_azure', 'READ_VOLUME');
    const readSas = read['azure_user_delegation_sas']!['sas_token']!;
    expect(readSas).toContain('sp=rl');
    const got = await blob('GET', `${container}/hello.txt?${readSas}`, ca);
    expect(got).toEqual({ status: 200, text: 'hello from lakegate' });
    expect((await blob('PUT', `${container}/evil.txt?${readSas}`, ca, 'x')).status).toBe(403);
    const other = run.azureBlobEndpoint.replace('{account}', 'lakegatedemo') + '/other';
    expect((await blob('GET', `${other}/hello.txt?${writeSas}`, ca)).status).toBe(403);
  });

  it('GCP: the token comes from a downscoping exchange whose boundary is the volume prefix only', async () => {
    const before = (await (await fetch(`${run.gcpUrl}/_emulator/calls`)).json()) as unknown[];
    const vended = await vend('landing_gcs', 'READ_VOLUME');
    expect(vended.url).toBe('gs://lakegate-demo/landing');
    expect(vended['gcp_oauth_token']!['oauth_token']!.length).toBeGreaterThan(10);
    const calls = (await (await fetch(`${run.gcpUrl}/_emulator/calls`)).json()) as { path: string; accessBoundary?: unknown }[];
    const exchange = calls.slice(before.length).find((c) => c.path === '/v1/token');
    const boundary = JSON.stringify(exchange);
    expect(boundary).toContain('//storage.googleapis.com/projects/_/buckets/lakegate-demo');
    expect(boundary).toContain('inRole:roles/storage.objectViewer');
    expect(boundary).toContain("projects/_/buckets/lakegate-demo/objects/landing/");
    expect(boundary).not.toContain('objectAdmin');
  });

  it('AWS: identical requests share one STS call through the cache, and the audit says so', async () => {
    const before = ((await (await fetch(`${run.stsUrl}/_emulator/calls`)).json()) as unknown[]).length;
    const first = await vend('landing', 'READ_VOLUME');
    const second = await vend('landing', 'READ_VOLUME');
    expect(second['aws_temp_credentials']!['access_key_id']).toBe(first['aws_temp_credentials']!['access_key_id']);
    const calls = (await (await fetch(`${run.stsUrl}/_emulator/calls`)).json()) as { params?: Record<string, string> }[];
    expect(calls.length - before).toBe(1);
    const records = await eventually('two minter records', async () => {
      const events = (await lookupEvents<{ additionalEventData: { cacheHit?: boolean } }>(system, 'ResourceName', 'lakegate_demo.default.landing', 2)).map((e) => e.record);
      return events.length === 2 ? events : undefined;
    });
    expect(records.map((r) => r.additionalEventData.cacheHit)).toEqual([true, false]);
  });

  it('throttles a principal past its rate limit with the face’s own 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${system.url}${UC}/volumes/lakegate_demo.default.landing`, { headers: { authorization: `Bearer ${token}` } });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
      else await res.arrayBuffer();
    }
    expect(statuses).toContain(429);
    expect(limited!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await limited!.json()).toMatchObject({ error_code: 'REQUEST_LIMIT_EXCEEDED' });
    const other = await fetch(`${system.url}${UC}/volumes/lakegate_demo.default.landing`, { headers: { authorization: `Bearer ${system.adminToken}` } });
    expect(other.status).toBe(200);
  });
});
