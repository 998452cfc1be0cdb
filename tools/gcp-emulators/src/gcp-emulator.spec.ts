import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_PLATFORM_SCOPE, startGcpEmulator, type GcpEmulator } from './gcp-emulator.js';
import { tokenFingerprint } from './issued-tokens.js';
import { GOOGLE_TOKEN_AUDIENCE, JWT_BEARER_GRANT_TYPE } from './jwt-bearer-grant.js';
import { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT_TYPE } from './token-exchange.js';

/** The emulator over raw HTTP: every endpoint's success, refusals and the test controls. */

const BROKER = 'broker@lakegate-test.iam.gserviceaccount.com';
const DATA_SA = 'data@lakegate-test.iam.gserviceaccount.com';
const OTHER_SA = 'other@lakegate-test.iam.gserviceaccount.com';
const brokerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();

let emulator: GcpEmulator;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function jwt(claims: Record<string, unknown>, key: KeyObject = brokerKey.privateKey, header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT' }): string {
  const signingInput = `${b64(header)}.${b64(claims)}`;
  return `${signingInput}.${sign('RSA-SHA256', Buffer.from(signingInput), key).toString('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);
const claims = (overrides: Record<string, unknown> = {}) => ({ iss: BROKER, scope: CLOUD_PLATFORM_SCOPE, aud: GOOGLE_TOKEN_AUDIENCE, iat: now(), exp: now() + 3600, ...overrides });

const postForm = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form) });
const postJson = (path: string, body: unknown, token?: string) =>
  fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const iamPath = (email: string) => `/v1/projects/-/serviceAccounts/${email}:generateAccessToken`;

const BOUNDARY = {
  accessBoundaryRules: [
    {
      availableResource: '//storage.googleapis.com/projects/_/buckets/data-lake',
      availablePermissions: ['inRole:roles/storage.objectViewer'],
      availabilityCondition: { expression: "resource.name.startsWith('projects/_/buckets/data-lake/objects/sales/')" },
    },
  ],
};
const exchangeForm = (subjectToken: string, accessBoundary: unknown = BOUNDARY, overrides: Record<string, string> = {}) => ({
  grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
  requested_token_type: ACCESS_TOKEN_TYPE,
  subject_token: subjectToken,
  subject_token_type: ACCESS_TOKEN_TYPE,
  options: JSON.stringify({ accessBoundary }),
  ...overrides,
});

beforeAll(async () => {
  emulator = await startGcpEmulator({
    serviceAccountKeys: { [BROKER]: pem(brokerKey.privateKey), [OTHER_SA]: brokerKey.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    impersonation: { [DATA_SA]: [BROKER] },
  });
});

afterEach(() => {
  emulator.setLatency(0);
});

afterAll(async () => {
  await emulator.close();
});

describe('POST /token (JWT-bearer grant)', () => {
  it('issues a token for a correctly signed assertion and records no secret', async () => {
    const assertion = jwt(claims());
    const res = await postForm('/token', { grant_type: JWT_BEARER_GRANT_TYPE, assertion });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; expires_in: number; token_type: string };
    expect(body).toEqual({ access_token: expect.stringMatching(/^ya29\./), expires_in: 3600, token_type: 'Bearer' });
    expect(emulator.describeToken(body.access_token)).toMatchObject({ identity: BROKER, scopes: [CLOUD_PLATFORM_SCOPE], issuedBy: 'oauth2' });
    const call = emulator.callsTo('oauth2').at(-1);
    expect(call).toMatchObject({ status: 200, serviceAccount: BROKER, grantType: JWT_BEARER_GRANT_TYPE, issuedTokenSha256: tokenFingerprint(body.access_token) });
    expect(JSON.stringify(emulator.calls)).not.toContain(body.access_token);
    expect(JSON.stringify(emulator.calls)).not.toContain(assertion);
  });

  it('accepts a key registered by its public half', async () => {
    const res = await postForm('/token', { grant_type: JWT_BEARER_GRANT_TYPE, assertion: jwt(claims({ iss: OTHER_SA })) });
    expect(res.status).toBe(200);
  });

  it.each([
    ['signed by another key', () => jwt(claims(), strangerKey.privateKey), 'invalid_grant', /Signature/],
    ['an unknown service account', () => jwt(claims({ iss: 'nobody@x.iam.gserviceaccount.com' })), 'invalid_grant', /account not found/],
    ['the wrong audience', () => jwt(claims({ aud: 'https://example.com/token' })), 'invalid_grant', /audience/],
    ['an expired assertion', () => jwt(claims({ iat: now() - 7200, exp: now() - 3600 })), 'invalid_grant', /short-lived/],
    ['an assertion living over an hour', () => jwt(claims({ exp: now() + 7200 })), 'invalid_grant', /short-lived/],
    ['no scope', () => jwt(claims({ scope: undefined })), 'invalid_scope', /scope/],
    ['alg none', () => jwt(claims(), brokerKey.privateKey, { alg: 'none' }), 'invalid_grant', /RS256/],
    ['garbage', () => 'not-a-jwt', 'invalid_grant', /compact/],
  ])('refuses %s with 400 %s', async (_name, assertion, error, description) => {
    const res = await postForm('/token', { grant_type: JWT_BEARER_GRANT_TYPE, assertion: assertion() });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; error_description: string };
    expect(body.error).toBe(error);
    expect(body.error_description).toMatch(description);
    expect(emulator.calls.at(-1)).toMatchObject({ endpoint: 'oauth2', status: 400, error });
  });

  it('refuses another grant type', async () => {
    const res = await postForm('/token', { grant_type: 'client_credentials' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });
});

describe('POST …:generateAccessToken (IAM Credentials)', () => {
  it('mints a token for the target with the requested lifetime', async () => {
    const caller = emulator.issueAccessToken(BROKER);
    const before = Date.now();
    const res = await postJson(iamPath(DATA_SA), { scope: [CLOUD_PLATFORM_SCOPE], lifetime: '900s', delegates: [] }, caller);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accessToken: string; expireTime: string };
    expect(body.expireTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const expiresAt = Date.parse(body.expireTime);
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 900_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 900_000);
    expect(emulator.describeToken(body.accessToken)).toMatchObject({ identity: DATA_SA, issuedBy: 'iam', expiresAt });
    expect(emulator.callsTo('iam').at(-1)).toMatchObject({ status: 200, caller: BROKER, targetServiceAccount: DATA_SA, lifetimeSeconds: 900, scopes: [CLOUD_PLATFORM_SCOPE] });
  });

  it.each([
    ['no bearer token', undefined, DATA_SA, { scope: [CLOUD_PLATFORM_SCOPE] }, 401, 'UNAUTHENTICATED'],
    ['a token the emulator never issued', 'ya29.forged', DATA_SA, { scope: [CLOUD_PLATFORM_SCOPE] }, 401, 'UNAUTHENTICATED'],
    ['a caller without the token-creator binding', 'other', DATA_SA, { scope: [CLOUD_PLATFORM_SCOPE] }, 403, 'PERMISSION_DENIED'],
    ['a target not in the table', 'broker', OTHER_SA, { scope: [CLOUD_PLATFORM_SCOPE] }, 403, 'PERMISSION_DENIED'],
    ['a caller token without an IAM scope', 'narrow', DATA_SA, { scope: [CLOUD_PLATFORM_SCOPE] }, 403, 'PERMISSION_DENIED'],
    ['a lifetime over the maximum', 'broker', DATA_SA, { scope: [CLOUD_PLATFORM_SCOPE], lifetime: '3601s' }, 400, 'INVALID_ARGUMENT'],
    ['a malformed lifetime', 'broker', DATA_SA, { scope: [CLOUD_PLATFORM_SCOPE], lifetime: '1h' }, 400, 'INVALID_ARGUMENT'],
    ['no scope', 'broker', DATA_SA, { lifetime: '60s' }, 400, 'INVALID_ARGUMENT'],
    ['a body that is not JSON', 'broker', DATA_SA, '{', 400, 'INVALID_ARGUMENT'],
  ])('refuses %s', async (_name, who, target, body, status, googleStatus) => {
    const token =
      who === 'broker'
        ? emulator.issueAccessToken(BROKER)
        : who === 'other'
          ? emulator.issueAccessToken(OTHER_SA)
          : who === 'narrow'
            ? emulator.issueAccessToken(BROKER, { scopes: ['https://www.googleapis.com/auth/devstorage.read_only'] })
            : who;
    const res = await postJson(iamPath(target), body, token);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code: status, status: googleStatus } });
    expect(emulator.calls.at(-1)).toMatchObject({ endpoint: 'iam', status, error: googleStatus });
  });

  it('refuses an expired caller token', async () => {
    const res = await postJson(iamPath(DATA_SA), { scope: [CLOUD_PLATFORM_SCOPE] }, emulator.issueAccessToken(BROKER, { lifetimeSeconds: 0 }));
    expect(res.status).toBe(401);
  });
});

describe('POST /v1/token (STS token exchange)', () => {
  it('downscopes a live token: same identity, the subject’s remaining life, the boundary recorded', async () => {
    const subject = emulator.issueAccessToken(DATA_SA, { lifetimeSeconds: 1200 });
    const res = await postForm('/v1/token', exchangeForm(subject));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; issued_token_type: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ access_token: expect.stringMatching(/^ya29\.d\./), issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer' });
    expect(body.expires_in).toBeGreaterThanOrEqual(1198);
    expect(body.expires_in).toBeLessThanOrEqual(1200);
    const described = emulator.describeToken(body.access_token);
    expect(described).toMatchObject({ identity: DATA_SA, issuedBy: 'sts', accessBoundary: BOUNDARY });
    expect(described?.expiresAt).toBe(emulator.describeToken(subject)?.expiresAt);

    const call = emulator.callsTo('sts').at(-1);
    expect(call).toMatchObject({
      status: 200,
      subject: DATA_SA,
      subjectTokenSha256: tokenFingerprint(subject),
      accessBoundary: BOUNDARY,
      issuedTokenSha256: tokenFingerprint(body.access_token),
      expiresIn: body.expires_in,
      authorizationHeader: false,
    });
    expect(call?.form).toEqual({ ...exchangeForm(subject), subject_token: tokenFingerprint(subject) });
    expect(JSON.stringify(emulator.calls)).not.toContain(subject);
  });

  it('records an Authorization header the client should not have sent', async () => {
    await postForm('/v1/token', exchangeForm(emulator.issueAccessToken(DATA_SA)), { authorization: 'Bearer x' });
    expect(emulator.callsTo('sts').at(-1)).toMatchObject({ status: 200, authorizationHeader: true });
  });

  const [rule] = BOUNDARY.accessBoundaryRules;
  it.each([
    ['an unknown subject token', { subject_token: 'ya29.forged' }, 'invalid_grant'],
    ['another grant type', { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' }, 'unsupported_grant_type'],
    ['another subject token type', { subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' }, 'invalid_request'],
    ['another requested token type', { requested_token_type: 'urn:ietf:params:oauth:token-type:id_token' }, 'invalid_request'],
    ['options that are not JSON', { options: '{' }, 'invalid_request'],
    ['options without accessBoundary', { options: '{}' }, 'invalid_request'],
    ['no rules', { options: JSON.stringify({ accessBoundary: { accessBoundaryRules: [] } }) }, 'invalid_request'],
    ['11 rules', { options: JSON.stringify({ accessBoundary: { accessBoundaryRules: Array.from({ length: 11 }, () => rule) } }) }, 'invalid_request'],
    ['a resource that is not a bucket', { options: JSON.stringify({ accessBoundary: { accessBoundaryRules: [{ ...rule, availableResource: '//storage.googleapis.com/projects/_/buckets/data-lake/objects/x' }] } }) }, 'invalid_request'],
    ['no permissions', { options: JSON.stringify({ accessBoundary: { accessBoundaryRules: [{ ...rule, availablePermissions: [] }] } }) }, 'invalid_request'],
    ['a permission that is not inRole:', { options: JSON.stringify({ accessBoundary: { accessBoundaryRules: [{ ...rule, availablePermissions: ['storage.objects.get'] }] } }) }, 'invalid_request'],
    ['an unknown rule field', { options: JSON.stringify({ accessBoundary: { accessBoundaryRules: [{ ...rule, extra: 1 }] } }) }, 'invalid_request'],
    ['an empty condition', { options: JSON.stringify({ accessBoundary: { accessBoundaryRules: [{ ...rule, availabilityCondition: { expression: ' ' } }] } }) }, 'invalid_request'],
  ])('refuses %s with 400 %s', async (_name, overrides, error) => {
    const res = await postForm('/v1/token', { ...exchangeForm(emulator.issueAccessToken(DATA_SA)), ...overrides });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error });
    expect(emulator.calls.at(-1)).toMatchObject({ endpoint: 'sts', status: 400, error });
  });

  it('refuses a request without options', async () => {
    const form: Record<string, string> = exchangeForm(emulator.issueAccessToken(DATA_SA));
    delete form['options'];
    const res = await postForm('/v1/token', form);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses an expired subject token', async () => {
    const subject = emulator.issueAccessToken(DATA_SA, { lifetimeSeconds: 0 });
    const res = await postForm('/v1/token', exchangeForm(subject));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('test controls', () => {
  it('failNext answers the next request to that endpoint only, in its error format', async () => {
    emulator.failNext('sts', 503);
    emulator.failNext('iam', 403);
    const sts = await postForm('/v1/token', exchangeForm(emulator.issueAccessToken(DATA_SA)));
    expect(sts.status).toBe(503);
    expect(await sts.json()).toEqual({ error: 'server_error', error_description: 'Injected server_error.' });
    const iam = await postJson(iamPath(DATA_SA), { scope: [CLOUD_PLATFORM_SCOPE] }, emulator.issueAccessToken(BROKER));
    expect(await iam.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
    expect((await postForm('/v1/token', exchangeForm(emulator.issueAccessToken(DATA_SA)))).status).toBe(200);
  });

  it('respondNext sends a raw body', async () => {
    emulator.respondNext('oauth2', '<html>bad gateway</html>', 502, 'text/html');
    const res = await postForm('/token', { grant_type: JWT_BEARER_GRANT_TYPE, assertion: jwt(claims()) });
    expect(res.status).toBe(502);
    expect(await res.text()).toBe('<html>bad gateway</html>');
  });

  it('dropNext destroys the connection', async () => {
    emulator.dropNext('sts');
    await expect(postForm('/v1/token', exchangeForm(emulator.issueAccessToken(DATA_SA)))).rejects.toThrow();
    expect(emulator.calls.at(-1)).toMatchObject({ endpoint: 'sts', status: 0, error: 'ConnectionDropped' });
  });

  it('setLatency delays answers', async () => {
    emulator.setLatency(150);
    const started = performance.now();
    await postForm('/v1/token', exchangeForm(emulator.issueAccessToken(DATA_SA)));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('serves health and calls, and 404s unknown paths', async () => {
    const res = await fetch(`${emulator.url}/v1/unknown`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(emulator.calls.at(-1)).toMatchObject({ endpoint: 'unknown', status: 404 });
    expect(await (await fetch(`${emulator.url}/_emulator/health`)).json()).toEqual({ ok: true, calls: emulator.calls.length });
    const calls = (await (await fetch(`${emulator.url}/_emulator/calls`)).json()) as unknown[];
    expect(calls).toHaveLength(emulator.calls.length);
  });
});
