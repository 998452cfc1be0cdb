import { createPublicKey, createVerify, X509Certificate, type JsonWebKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { ClientSecretCredential, WorkloadIdentityCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwtPayload } from './access-token.js';
import { startEntraAuthority, type EntraAuthority } from './entra-authority.js';
import { createSelfSignedTls, type SelfSignedTls } from './self-signed-tls.js';

const TENANT = '7f3c1f7e-52a1-4c36-9f51-6a0e1a2b3c4d';
const APP = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const SECRET = 'app-secret';
const WORKLOAD = '1c2d3e4f-5061-7283-94a5-b6c7d8e9f0a1';
const FEDERATED = 'projected-service-account-token';
const STORAGE = 'https://storage.azure.com/.default';

let tls: SelfSignedTls;
let authority: EntraAuthority;

const credentialOptions = () => ({ authorityHost: authority.url, disableInstanceDiscovery: true, tlsOptions: { ca: [tls.cert] }, retryOptions: { maxRetries: 0 } });

/** One HTTPS call trusting only the emulator's certificate. */
function call(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = form === undefined ? undefined : new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      `${authority.url}${path}`,
      { method, ca: tls.cert, headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A client-credentials request; a field set to null is left out. */
const tokenRequest = (overrides: Record<string, string | null> = {}) => {
  const form = { grant_type: 'client_credentials', client_id: APP, client_secret: SECRET, scope: STORAGE, ...overrides };
  return call('POST', `/${TENANT}/oauth2/v2.0/token`, Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => e[1] !== null)));
};

beforeAll(async () => {
  tls = await createSelfSignedTls();
  authority = await startEntraAuthority({
    tls,
    apps: [
      { tenantId: TENANT, clientId: APP, clientSecret: SECRET },
      { tenantId: TENANT, clientId: WORKLOAD, federatedTokens: [FEDERATED], tokenLifetimeSeconds: 600 },
    ],
  });
});

afterAll(async () => {
  await authority?.close();
  await tls?.dispose();
});

describe('createSelfSignedTls', () => {
  it('issues a certificate for 127.0.0.1 and localhost, kept in files until disposed', async () => {
    const x509 = new X509Certificate(tls.cert);
    expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x509.subjectAltName).toContain('DNS:localhost');
    expect(x509.checkIssued(x509)).toBe(true);
    expect(new Date(x509.validTo).getTime()).toBeGreaterThan(Date.now() + 86_400_000);
    const other = await createSelfSignedTls();
    expect(existsSync(other.certPath) && existsSync(other.keyPath)).toBe(true);
    await other.dispose();
    expect(existsSync(other.dir)).toBe(false);
  });
});

describe('startEntraAuthority', () => {
  it('serves @azure/identity a storage token for a client secret, in the v1.0 shape storage reads', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await new ClientSecretCredential(TENANT, APP, SECRET, credentialOptions()).getToken(STORAGE);
    const claims = decodeJwtPayload(token.token);
    expect(claims).toMatchObject({
      aud: 'https://storage.azure.com',
      iss: `https://sts.windows.net/${TENANT}/`,
      tid: TENANT,
      appid: APP,
      appidacr: '1',
      oid: authority.objectIdOf(TENANT, APP),
      ver: '1.0',
    });
    expect(claims['nbf']).toBeGreaterThanOrEqual(before);
    expect((claims['exp'] as number) - (claims['iat'] as number)).toBe(3600);
    expect(authority.calls.at(-1)).toMatchObject({ tenantId: TENANT, clientId: APP, clientAuth: 'secret', status: 200, scope: STORAGE });
    expect(JSON.stringify(authority.calls)).not.toContain(SECRET);
  });

  it('signs tokens with the key it publishes', async () => {
    const token = await new ClientSecretCredential(TENANT, APP, SECRET, credentialOptions()).getToken(STORAGE);
    const [header, payload, signature] = token.token.split('.') as [string, string, string];
    const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string };
    const jwks = await call('GET', `/${TENANT}/discovery/v2.0/keys`);
    const jwk = (jwks.body['keys'] as (JsonWebKey & { kid: string })[]).find((k) => k.kid === kid);
    if (!jwk) throw new Error(`no published key has kid ${kid}`);
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    expect(createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(key, Buffer.from(signature, 'base64url'))).toBe(true);
  });

  it('accepts a federated client assertion (workload identity)', async () => {
    const file = join(tls.dir, 'token');
    await writeFile(file, FEDERATED);
    const token = await new WorkloadIdentityCredential({ ...credentialOptions(), tenantId: TENANT, clientId: WORKLOAD, tokenFilePath: file }).getToken(STORAGE);
    const claims = decodeJwtPayload(token.token);
    expect(claims).toMatchObject({ appid: WORKLOAD, appidacr: '2', oid: authority.objectIdOf(TENANT, WORKLOAD) });
    expect((claims['exp'] as number) - (claims['iat'] as number)).toBe(600);
    expect(authority.calls.at(-1)).toMatchObject({ clientId: WORKLOAD, clientAuth: 'assertion', status: 200 });
  });

  it('publishes OpenID metadata naming its own token endpoint', async () => {
    const { status, body } = await call('GET', `/${TENANT}/v2.0/.well-known/openid-configuration`);
    expect(status).toBe(200);
    expect(body['token_endpoint']).toBe(`${authority.url}/${TENANT}/oauth2/v2.0/token`);
  });

  it.each([
    ['a wrong secret', { client_secret: 'guess' }, 401, 'invalid_client', 7_000_215],
    ['an unknown client', { client_id: 'cccccccc-0000-0000-0000-000000000000' }, 400, 'unauthorized_client', 700_016],
    ['a secret for a federated-only app', { client_id: WORKLOAD }, 401, 'invalid_client', 7_000_215],
    ['an assertion that is not registered', { client_id: WORKLOAD, client_secret: null, client_assertion: 'other', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' }, 400, 'invalid_client', 700_213],
    ['no client authentication', { client_secret: null }, 401, 'invalid_client', 7_000_218],
    ['another grant type', { grant_type: 'password' }, 400, 'unsupported_grant_type', 70_003],
    ['a scope without /.default', { scope: 'https://storage.azure.com/user_impersonation' }, 400, 'invalid_scope', 1_002_012],
  ])('answers %s with Entra’s error shape', async (_name, overrides, status, error, code) => {
    const response = await tokenRequest(overrides);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ error, error_codes: [code] });
    expect(response.body['error_description']).toMatch(new RegExp(`^AADSTS${code}: .*Trace ID: `));
    expect(authority.calls.at(-1)).toMatchObject({ status, error });
  });

  it('answers a token request for an unknown tenant with AADSTS90002', async () => {
    const response = await call('POST', '/00000000-0000-0000-0000-000000000000/oauth2/v2.0/token', { grant_type: 'client_credentials', client_id: APP, client_secret: SECRET, scope: STORAGE });
    expect(response).toMatchObject({ status: 400, body: { error: 'invalid_request', error_codes: [90_002] } });
  });

  it('fails or drops the next token request on demand', async () => {
    authority.failNext(503, 'temporarily_unavailable');
    expect(await tokenRequest()).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable', error_codes: [] } });
    authority.dropNext();
    await expect(tokenRequest()).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(authority.calls.at(-1)).toMatchObject({ status: 0, error: 'connection_dropped' });
    expect((await tokenRequest()).status).toBe(200);
  });
});
