import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, removeDir, startSystem, type RunningSystem } from './system.js';

const UC = '/api/2.1/unity-catalog';

describe('admin API end to end: principals, tokens, grants and settings change what is vended', () => {
  const demoToken = `e2e_${randomBytes(24).toString('base64url')}`;
  const adminToken = `adm_${randomBytes(24).toString('base64url')}`;
  let system: RunningSystem;
  let volumeId: string;
  let carolToken: string;
  let carolTokenId: string;

  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${system.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const vendAs = (token: string) => call('POST', `${UC}/temporary-volume-credentials`, token, { volume_id: volumeId, operation: 'READ_VOLUME' });

  // A stand-in OIDC issuer: lakegate fetches its JWKS over HTTP, as from a real identity provider.
  let jwks: Server;
  let issuer: string;
  type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  let signingKey: SigningKey;
  const jwt = (claims: Record<string, unknown>, options: { audience?: string; expiresIn?: string; key?: SigningKey } = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuer(issuer).setAudience(options.audience ?? 'lakegate').setIssuedAt().setExpirationTime(options.expiresIn ?? '5m').sign(options.key ?? signingKey);

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    signingKey = pair.privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] })));
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', () => r()));
    issuer = `http://127.0.0.1:${(jwks.address() as { port: number }).port}`;
    system = await startSystem({ token: demoToken, adminToken, extraEnv: { LAKEGATE_OIDC_ISSUER: issuer, LAKEGATE_OIDC_AUDIENCE: 'lakegate' } });
    volumeId = (await call('GET', `${UC}/volumes/lakegate_demo.default.landing`, demoToken)).body['volume_id'] as string;
  });
  afterAll(async () => {
    if (system) {
      expect(await system.interrupt()).toBe(0);
      await removeDir(system.dataDir);
    }
    jwks?.close();
  });

  it('accepts an OIDC JWT from the configured issuer for a known principal, and refuses forged, expired or foreign ones', async () => {
    expect((await vendAs(await jwt({ sub: 'demo' }))).status).toBe(200);
    const other = await generateKeyPair('ES256');
    for (const bad of [await jwt({ sub: 'demo' }, { key: other.privateKey }), await jwt({ sub: 'demo' }, { expiresIn: '-1m' }), await jwt({ sub: 'demo' }, { audience: 'someone-else' }), await jwt({ sub: 'nobody' })]) {
      const res = await vendAs(bad);
      expect(res.status).toBe(401);
      expect(res.body['error_code']).toBe('UNAUTHENTICATED');
    }
  });

  it('reports the deployment identity in metastore_summary', async () => {
    const { status, body } = await call('GET', `${UC}/metastore_summary`, demoToken);
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: 'lakegate-demo', region: 'us-east-1', cloud: 'aws', aws_account_id: '000000000000', external_access_enabled: true });
    expect(typeof body['metastore_id']).toBe('string');
  });

  it('lets only admins create principals', async () => {
    expect((await call('POST', '/api/v1/principals', 'not-a-token-at-all', { name: 'mallory', type: 'USER' })).status).toBe(401);
    expect((await call('POST', '/api/v1/principals', demoToken, { name: 'carol', type: 'USER' })).status).toBe(403);
    expect(await call('POST', '/api/v1/principals', adminToken, { name: 'carol', type: 'USER' })).toMatchObject({ status: 200, body: { name: 'carol', type: 'USER' } });
    expect((await call('POST', '/api/v1/principals', adminToken, { name: 'carol', type: 'USER' })).status).toBe(409);
    expect((await call('POST', '/api/v1/principals', adminToken, { name: 'x', type: 'ROBOT' })).status).toBe(400);
  });

  it('issues a token once, which then authenticates', async () => {
    const { status, body } = await call('POST', '/api/v1/principals/carol/tokens', adminToken, { lifetime_seconds: 3600 });
    expect(status).toBe(200);
    carolToken = body['token'] as string;
    carolTokenId = body['token_id'] as string;
    expect(carolToken).toMatch(/^lgt_/);
    const denied = await vendAs(carolToken);
    expect(denied.status).toBe(403);
    expect(denied.body['message']).toContain('READ VOLUME');
  });

  it('grants through PATCH permissions and group membership, in both privilege spellings', async () => {
    const patch = await call('PATCH', `${UC}/permissions/volume/lakegate_demo.default.landing`, adminToken, { changes: [{ principal: 'carol', add: ['READ_VOLUME'], remove: [] }] });
    expect(patch.status).toBe(200);
    expect((await vendAs(carolToken)).body['message']).toContain('USE CATALOG');
    expect((await call('PUT', '/api/v1/groups/engineers/members/carol', adminToken)).status).toBe(200);
    expect((await vendAs(carolToken)).status).toBe(200);
    const perms = await call('GET', `${UC}/permissions/volume/lakegate_demo.default.landing?principal=carol`, carolToken);
    expect(perms.body).toEqual({ privilege_assignments: [{ principal: 'carol', privileges: ['READ VOLUME'] }] });
  });

  it('lets only the catalog owner grant EXTERNAL USE SCHEMA', async () => {
    const byDemo = await call('PATCH', `${UC}/permissions/schema/lakegate_demo.default`, demoToken, { changes: [{ principal: 'carol', add: ['EXTERNAL_USE_SCHEMA'] }] });
    expect(byDemo.status).toBe(403);
    expect(byDemo.body['message']).toContain('catalog');
    const byOwner = await call('PATCH', `${UC}/permissions/schema/lakegate_demo.default`, adminToken, { changes: [{ principal: 'carol', add: ['EXTERNAL USE SCHEMA'] }] });
    expect(byOwner.status).toBe(200);
    const wrongType = await call('PATCH', `${UC}/permissions/volume/lakegate_demo.default.landing`, adminToken, { changes: [{ principal: 'carol', add: ['SELECT'] }] });
    expect(wrongType.status).toBe(400);
  });

  it('stops vending while external access is disabled, and resumes when enabled', async () => {
    const id = (await call('GET', `${UC}/metastore_summary`, demoToken)).body['metastore_id'] as string;
    expect((await call('PATCH', `${UC}/metastores/${id}`, demoToken, { external_access_enabled: false })).status).toBe(403);
    expect((await call('PATCH', `${UC}/metastores/${id}`, adminToken, { external_access_enabled: false })).status).toBe(200);
    const denied = await vendAs(demoToken);
    expect(denied.status).toBe(403);
    expect(denied.body['message']).toContain('external_access_enabled');
    expect((await call('PATCH', `${UC}/metastores/${id}`, adminToken, { external_access_enabled: true })).status).toBe(200);
    expect((await vendAs(demoToken)).status).toBe(200);
  });

  it('keeps every one of many concurrent grant changes (no lost update)', async () => {
    const names = Array.from({ length: 16 }, (_, i) => `p${i}`);
    for (const name of names) expect((await call('POST', '/api/v1/principals', adminToken, { name, type: 'USER' })).status).toBe(200);
    const results = await Promise.all(
      names.map((name) => call('PATCH', `${UC}/permissions/volume/lakegate_demo.default.landing`, adminToken, { changes: [{ principal: name, add: ['READ VOLUME'] }] })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(16).fill(200));
    const all = await call('GET', `${UC}/permissions/volume/lakegate_demo.default.landing`, adminToken);
    const principals = (all.body['privilege_assignments'] as { principal: string }[]).map((a) => a.principal);
    for (const name of [...names, 'carol', 'demo']) expect(principals).toContain(name);
  });

  it('refuses a revoked token at once', async () => {
    expect((await call('DELETE', `/api/v1/principals/carol/tokens/${carolTokenId}`, adminToken)).status).toBe(200);
    expect((await vendAs(carolToken)).status).toBe(401);
  });

  it('audits admin changes without the issued token', async () => {
    const lookup = (body: unknown) => call('POST', '/api/v1/audit/lookup-events', adminToken, body);
    const events = await eventually('UpdatePermissions events', async () => {
      const page = await lookup({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'UpdatePermissions' }], MaxResults: 50 });
      const list = page.body['Events'] as { CloudTrailEvent: string }[];
      return list.length >= 12 ? list : undefined;
    });
    const records = events.map((e) => JSON.parse(e.CloudTrailEvent) as Record<string, unknown>);
    expect(records.filter((r) => r['errorCode'] === 'PERMISSION_DENIED')).toHaveLength(1);
    expect(records.every((r) => r['stage'] === 'catalog')).toBe(true);
    const created = await lookup({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreatePrincipal' }], MaxResults: 50 });
    const createRecords = (created.body['Events'] as { CloudTrailEvent: string }[]).map((e) => JSON.parse(e.CloudTrailEvent) as Record<string, unknown>);
    // the unauthenticated attempt was refused, and audited, by the edge itself
    expect(createRecords.filter((r) => r['errorCode'] === 'UNAUTHENTICATED' && r['stage'] === 'edge')).toHaveLength(1);
    const tokens = await lookup({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateToken' }] });
    expect((tokens.body['Events'] as unknown[]).length).toBe(1);
    expect(JSON.stringify(tokens.body)).not.toContain(carolToken);
  });

  describe('the lakegate CLI: explain, export and apply', () => {
    const cli = join(import.meta.dirname, '../../cli/dist/main.js');
    const run = (token: string, ...args: string[]) =>
      promisify(execFile)(process.execPath, [cli, '--url', system.url, '--token', token, ...args]).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );

    it('explains a decision and its exact scope without minting', async () => {
      const allowed = await run(demoToken, 'explain', '--volume-id', volumeId, '--write');
      expect(allowed.code).toBe(0);
      expect(JSON.parse(allowed.stdout)).toEqual({ allowed: true, principal: 'demo', cloud: 'aws', locations: [{ url: 's3://lakegate-demo/landing', access: 'write' }] });
      const denied = await run(demoToken, 'explain', '--path', 's3://lakegate-demo/raw/x', '--write');
      expect(denied.code).toBe(3);
      expect(JSON.parse(denied.stdout)).toMatchObject({ allowed: false, error: { code: 'PERMISSION_DENIED', details: { missingPrivileges: [expect.stringContaining('WRITE FILES')] } } });
    });

    it('exports the catalog, re-applies it as a no-op, and applies a change after showing the plan', async () => {
      const file = join(system.dataDir, 'catalog.yaml');
      expect((await run(adminToken, 'export', '-o', file)).code).toBe(0);
      const same = await run(adminToken, 'apply', '-f', file, '--yes');
      expect(same.code).toBe(0);
      expect(same.stdout).toMatch(/^0 to change/m);
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.replace(/^volumes:\n/m, 'volumes:\n  - { catalog_name: lakegate_demo, schema_name: default, name: exports, volume_type: EXTERNAL, storage_location: "s3://lakegate-demo/exports", owner: admin }\n'));
      const planned = await run(adminToken, 'apply', '-f', file, '--dry-run');
      expect(planned.stdout).toContain('+ volume lakegate_demo.default.exports');
      expect(planned.stdout).toMatch(/^1 to change/m);
      expect((await call('GET', `${UC}/volumes/lakegate_demo.default.exports`, adminToken)).status).toBe(404);
      const applied = await run(adminToken, 'apply', '-f', file, '--yes');
      expect(applied.stdout).toContain('applied: 1 written');
      expect((await call('GET', `${UC}/volumes/lakegate_demo.default.exports`, adminToken)).status).toBe(200);
      expect((await run(demoToken, 'apply', '-f', file, '--yes')).code).toBe(1);
    });
  });
});
