import { createHmac } from 'node:crypto';
import { AuthenticationError, AuthenticationRequiredError, CredentialUnavailableError } from '@azure/identity';
import { RestError } from '@azure/storage-blob';
import { LakegateError, type StorageCredentialRef } from '@lakegate/contracts';
import type { MintInput } from '@lakegate/minter-core';
import { describe, expect, it } from 'vitest';
import { AzureMinter, mapIdentityError, mapStorageError, signUserDelegationSas } from './azure-minter.adapter.js';
import type { AzureMinterOptions, AzureSourceIdentity } from './azure-minter.config.js';
import type { DelegationKey } from './delegation-key-cache.js';
import { planSasScope, type SasScope } from './sas-scope.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const IDENTITY: AzureSourceIdentity = { kind: 'client-secret', tenantId: TENANT, clientId: CLIENT, clientSecret: 'do-not-leak', authorityHost: 'https://127.0.0.1:1', disableInstanceDiscovery: true };

const KEY: DelegationKey = {
  signedObjectId: '06caaff9-a11d-4aef-84e2-b3ff61c60fda',
  signedTenantId: TENANT,
  signedStartsOn: new Date('2030-01-01T11:55:00Z'),
  signedExpiresOn: new Date('2030-01-08T11:55:00Z'),
  signedService: 'b',
  signedVersion: '2025-11-05',
  value: Buffer.alloc(32, 7).toString('base64'),
};
const EXPIRES = new Date('2030-01-01T13:00:00Z');

const scopeOf = (path: string, access: 'read' | 'write', hierarchicalNamespace = true): SasScope =>
  planSasScope([{ url: `abfss://sales@lakeacct1.dfs.core.windows.net${path}`, access }], { accountName: 'lakeacct1', hierarchicalNamespace });

/**
 * The user delegation SAS string-to-sign of service version 2025-07-05 and later, written from
 * Microsoft's "Create a user delegation SAS" reference, independently of the SDK.
 */
function documentedSignature(q: URLSearchParams, key: DelegationKey, canonicalizedResource: string): string {
  const g = (name: string) => q.get(name) ?? '';
  const stringToSign = [
    g('sp'), g('st'), g('se'), canonicalizedResource,
    g('skoid'), g('sktid'), g('skt'), g('ske'), g('sks'), g('skv'),
    g('saoid'), g('suoid'), g('scid'), g('skdutid'), g('sduoid'),
    g('sip'), g('spr'), g('sv'), g('sr'), '' /* snapshot */, g('ses'),
    g('rscc'), g('rscd'), g('rsce'), g('rscl'), g('rsct'),
  ].join('\n');
  return createHmac('sha256', Buffer.from(key.value, 'base64')).update(stringToSign, 'utf8').digest('base64');
}

describe('signUserDelegationSas', () => {
  it.each([
    ['a directory read SAS', '/orders/2024', 'read', true, { sr: 'd', sdd: '2', sp: 'rl' }, '/blob/lakeacct1/sales/orders/2024'],
    ['a directory write SAS', '/orders', 'write', true, { sr: 'd', sdd: '1', sp: 'racwdl' }, '/blob/lakeacct1/sales/orders'],
    ['a deep directory', '/a/b/c/d/e', 'read', true, { sr: 'd', sdd: '5', sp: 'rl' }, '/blob/lakeacct1/sales/a/b/c/d/e'],
    ['a directory with spaces and unicode (signed decoded)', '/x%20y/日本', 'read', true, { sr: 'd', sdd: '2', sp: 'rl' }, '/blob/lakeacct1/sales/x y/日本'],
    ['a container read SAS (HNS)', '', 'read', true, { sr: 'c', sdd: null, sp: 'rl' }, '/blob/lakeacct1/sales'],
    ['a container write SAS (flat)', '', 'write', false, { sr: 'c', sdd: null, sp: 'racwdl' }, '/blob/lakeacct1/sales'],
  ] as const)('%s', (_name, path, access, hns, expected, canonicalizedResource) => {
    const token = signUserDelegationSas(scopeOf(path, access, hns), KEY, { expiresOn: EXPIRES, version: '2025-11-05' });
    expect(token.startsWith('?')).toBe(false);
    const q = new URLSearchParams(token);
    expect({ sr: q.get('sr'), sdd: q.get('sdd'), sp: q.get('sp') }).toEqual(expected);
    expect(Object.fromEntries([...q].filter(([k]) => !['sr', 'sdd', 'sp', 'sig'].includes(k)))).toEqual({
      sv: '2025-11-05',
      spr: 'https',
      se: '2030-01-01T13:00:00Z',
      skoid: KEY.signedObjectId,
      sktid: TENANT,
      skt: '2030-01-01T11:55:00Z',
      ske: '2030-01-08T11:55:00Z',
      sks: 'b',
      skv: '2025-11-05',
    });
    expect(q.get('sig')).toBe(documentedSignature(q, KEY, canonicalizedResource));
  });

  it('a signature does not carry over to another directory, container or key', () => {
    const q = new URLSearchParams(signUserDelegationSas(scopeOf('/orders', 'read'), KEY, { expiresOn: EXPIRES, version: '2025-11-05' }));
    expect(q.get('sig')).not.toBe(documentedSignature(q, KEY, '/blob/lakeacct1/sales/orders2'));
    expect(q.get('sig')).not.toBe(documentedSignature(q, KEY, '/blob/lakeacct1/sales'));
    expect(q.get('sig')).not.toBe(documentedSignature(q, { ...KEY, value: Buffer.alloc(32, 8).toString('base64') }, '/blob/lakeacct1/sales/orders'));
  });

  it('signs the configured version', () => {
    const q = new URLSearchParams(signUserDelegationSas(scopeOf('/orders', 'read'), KEY, { expiresOn: EXPIRES, version: '2025-07-05' }));
    expect(q.get('sv')).toBe('2025-07-05');
    expect(q.get('sig')).toBe(documentedSignature(q, KEY, '/blob/lakeacct1/sales/orders'));
  });
});

describe('mapIdentityError', () => {
  const msal = (text: string) => new AuthenticationRequiredError({ scopes: ['https://storage.azure.com/.default'], message: text });
  it.each([
    ['wrong client secret', msal("invalid_client: Error(s): 7000215 - Timestamp: 2030 - Description: AADSTS7000215: Invalid client secret provided. Trace ID: t"), 'UPSTREAM_DENIED', 'invalid_client', 'AADSTS7000215'],
    ['unknown application', msal("unauthorized_client: Error(s): 700016 - Description: AADSTS700016: Application with identifier 'x' was not found"), 'UPSTREAM_DENIED', 'unauthorized_client', 'AADSTS700016'],
    ['federated assertion refused', msal('invalid_client: Error(s): 700213 - Description: AADSTS700213: No matching federated identity record found'), 'UPSTREAM_DENIED', 'invalid_client', 'AADSTS700213'],
    ['authority busy', msal('temporarily_unavailable: Error(s):  - Description: try later'), 'UPSTREAM_UNAVAILABLE', 'temporarily_unavailable', undefined],
    ['authority failed', msal('server_error: Error(s): 90033 - AADSTS90033: A transient error has occurred'), 'UPSTREAM_UNAVAILABLE', 'server_error', 'AADSTS90033'],
    ['MSAL holding back after a 5xx (no error codes)', msal(': Injected temporarily_unavailable. Trace ID: t'), 'UPSTREAM_UNAVAILABLE', 'msal_throttled', undefined],
    ['MSAL holding back after a 429', msal('50196: AADSTS50196: The server terminated an operation because it encountered a client request loop.'), 'UPSTREAM_UNAVAILABLE', 'msal_throttled', 'AADSTS50196'],
    ['connection dropped', msal('network_error: See https://aka.ms/msal.js.errors#network_error for details'), 'UPSTREAM_UNAVAILABLE', 'network_error', undefined],
    ['authority unreachable or untrusted', new CredentialUnavailableError('endpoints_resolution_error: See https://aka.ms/msal.js.errors#endpoints_resolution_error'), 'UPSTREAM_UNAVAILABLE', 'endpoints_resolution_error', undefined],
    ['no managed identity endpoint', new CredentialUnavailableError('ManagedIdentityCredential: Authentication failed. Message Attempted to use managed identity, but no endpoint is available'), 'FAILED_PRECONDITION', 'CredentialUnavailableError', undefined],
    ['a missing token file', msal("ENOENT: no such file or directory, open '/var/run/token'"), 'FAILED_PRECONDITION', 'ENOENT', undefined],
    ['AuthenticationError 400', new AuthenticationError(400, { error: 'invalid_grant', error_description: 'AADSTS50173: grant expired' }), 'UPSTREAM_DENIED', 'invalid_grant', 'AADSTS50173'],
    ['AuthenticationError 503', new AuthenticationError(503, { error: 'service_unavailable', error_description: 'down' }), 'UPSTREAM_UNAVAILABLE', 'service_unavailable', undefined],
    ['AuthenticationError 429', new AuthenticationError(429, { error: 'throttled', error_description: 'slow down' }), 'UPSTREAM_UNAVAILABLE', 'throttled', undefined],
    ['a timeout', Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }), 'UPSTREAM_UNAVAILABLE', 'AbortError', undefined],
    ['something unknown', new Error('boom'), 'UPSTREAM_DENIED', 'Error', undefined],
  ])('%s → %s', (_name, error, code, azureErrorCode, aadsts) => {
    const mapped = mapIdentityError(error, IDENTITY);
    expect(mapped.code).toBe(code);
    expect(mapped.details).toMatchObject({ azureErrorCode, clientId: CLIENT });
    expect(mapped.details?.['aadsts']).toBe(aadsts);
    expect(mapped.cause).toBe(error);
    expect(mapped.message).toContain(`'${CLIENT}' (tenant '${TENANT}', client-secret)`);
    // The SDK's own text (trace ids, file paths, descriptions) stays in the cause.
    expect(mapped.message).not.toMatch(/Trace ID|Description|\/var\/run|do-not-leak/);
  });

  it('passes a LakegateError through', () => {
    const error = new LakegateError('FAILED_PRECONDITION', 'x');
    expect(mapIdentityError(error, IDENTITY)).toBe(error);
  });
});

describe('mapStorageError', () => {
  const rest = (statusCode: number | undefined, code: string) => new RestError(`${code} message RequestId:abc`, { code, ...(statusCode === undefined ? {} : { statusCode }) });
  it.each([
    ['role missing', rest(403, 'AuthorizationPermissionMismatch'), 'UPSTREAM_DENIED', /Storage Blob Delegator/],
    ['token refused', rest(403, 'AuthenticationFailed'), 'UPSTREAM_DENIED', /AuthenticationFailed, HTTP 403/],
    ['token malformed', rest(401, 'InvalidAuthenticationInfo'), 'UPSTREAM_DENIED', /HTTP 401/],
    ['unknown account', rest(404, 'ResourceNotFound'), 'UPSTREAM_DENIED', /ResourceNotFound/],
    ['bad key window', rest(400, 'InvalidXmlNodeValue'), 'UPSTREAM_DENIED', /InvalidXmlNodeValue/],
    ['server busy', rest(503, 'ServerBusy'), 'UPSTREAM_UNAVAILABLE', /unavailable \(ServerBusy\)/],
    ['internal error', rest(500, 'InternalError'), 'UPSTREAM_UNAVAILABLE', /retry later/],
    ['throttled', rest(429, 'TooManyRequests'), 'UPSTREAM_UNAVAILABLE', /TooManyRequests/],
    ['request timeout', rest(408, 'OperationTimedOut'), 'UPSTREAM_UNAVAILABLE', /OperationTimedOut/],
    ['connection refused', rest(undefined, 'ECONNREFUSED'), 'UPSTREAM_UNAVAILABLE', /ECONNREFUSED/],
    ['no answer at all', rest(undefined, 'REQUEST_SEND_ERROR'), 'UPSTREAM_UNAVAILABLE', /REQUEST_SEND_ERROR/],
    ['aborted', Object.assign(new Error('aborted'), { name: 'AbortError' }), 'UPSTREAM_UNAVAILABLE', /AbortError/],
  ])('%s → %s', (_name, error, code, message) => {
    const mapped = mapStorageError(error, IDENTITY, 'lakeacct1');
    expect(mapped.code).toBe(code);
    expect(mapped.message).toMatch(message);
    expect(mapped.message).toContain("'lakeacct1'");
    if (code === 'UPSTREAM_DENIED') expect(mapped.message).toContain(`'${CLIENT}'`);
    expect(mapped.message).not.toContain('RequestId:abc');
    expect(mapped.cause).toBe(error);
  });

  it('records the storage request id', () => {
    const error = { name: 'RestError', code: 'AuthenticationFailed', statusCode: 403, response: { headers: { get: (h: string) => (h === 'x-ms-request-id' ? 'req-42' : undefined) } } };
    expect(mapStorageError(error, IDENTITY, 'lakeacct1').details).toMatchObject({ upstreamRequestId: 'req-42', httpStatus: 403, azureErrorCode: 'AuthenticationFailed', accountName: 'lakeacct1' });
  });
});

describe('AzureMinter', () => {
  const minter = (options: Partial<AzureMinterOptions> = {}) =>
    new AzureMinter({ identities: [IDENTITY], blobEndpoint: 'https://127.0.0.1:1/{account}', maxAttempts: 1, requestTimeoutMs: 500, ...options });

  it.each([
    ['defaults', {}, { minDurationSeconds: 60, maxDurationSeconds: 43_200, defaultDurationSeconds: 3600 }],
    ['a short maximum also bounds the default', { maxDurationSeconds: 1800 }, { minDurationSeconds: 60, maxDurationSeconds: 1800, defaultDurationSeconds: 1800 }],
    ['up to a key’s life', { maxDurationSeconds: 604_500 }, { minDurationSeconds: 60, maxDurationSeconds: 604_500, defaultDurationSeconds: 3600 }],
  ])('capabilities: %s', (_name, options, expected) => {
    expect(minter(options).capabilities).toEqual({ cloud: 'azure', revocable: false, ...expected });
  });

  it.each([
    [1, 60],
    [59.9, 60],
    [60, 60],
    [3600.7, 3600],
    [43_200, 43_200],
    [604_800, 43_200],
    [Number.NaN, 3600],
    [Number.POSITIVE_INFINITY, 3600],
  ])('clamps a requested %d s to %d s', (requested, expected) => {
    expect(minter().clampDuration(requested)).toBe(expected);
  });

  it('refuses an invalid configuration at construction', () => {
    expect(() => minter({ identities: [] })).toThrow(/identities must list at least one identity/);
  });

  describe('refuses before any upstream call', () => {
    const azure = (overrides: Partial<NonNullable<StorageCredentialRef['azure']>> = {}) => ({ tenantId: TENANT, clientId: CLIENT, accountName: 'lakeacct1', hierarchicalNamespace: false, ...overrides });
    const input = (overrides: Partial<MintInput> = {}): MintInput => ({
      requestId: 'req-1',
      principal: 'alice@example.com',
      locations: [{ url: 'abfss://sales@lakeacct1.dfs.core.windows.net/', access: 'read' }],
      storageCredential: { name: 'lake', revision: 1, azure: azure() },
      durationSeconds: 3600,
      ...overrides,
    });
    it.each([
      ['a storage credential without Azure', { storageCredential: { name: 'aws-only', revision: 1, aws: { roleArn: 'arn:aws:iam::1:role/r' } } }, 'FAILED_PRECONDITION', /'aws-only' has no Azure identity/],
      ['an invalid account name', { storageCredential: { name: 'lake', revision: 1, azure: azure({ accountName: 'Lake_Acct' }) } }, 'FAILED_PRECONDITION', /not a storage account name/],
      ['an identity lakegate does not hold', { storageCredential: { name: 'lake', revision: 1, azure: azure({ clientId: 'cccccccc-0000-0000-0000-000000000000' }) } }, 'FAILED_PRECONDITION', /'cccccccc-0000-0000-0000-000000000000' in tenant '11111111/],
      ['the right client in another tenant', { storageCredential: { name: 'lake', revision: 1, azure: azure({ tenantId: '00000000-0000-0000-0000-000000000000' }) } }, 'FAILED_PRECONDITION', /not configured to act as/],
      ['a directory on a flat account', { locations: [{ url: 'abfss://sales@lakeacct1.dfs.core.windows.net/orders', access: 'read' as const }] }, 'FAILED_PRECONDITION', /no hierarchical namespace/],
      ['locations in two containers', { locations: [{ url: 'abfss://sales@lakeacct1.dfs.core.windows.net', access: 'read' as const }, { url: 'abfss://other@lakeacct1.dfs.core.windows.net', access: 'read' as const }] }, 'INVALID_ARGUMENT', /one container/],
      ['a location in another account', { locations: [{ url: 'abfss://sales@otheracct.dfs.core.windows.net', access: 'read' as const }] }, 'FAILED_PRECONDITION', /not in storage account 'lakeacct1'/],
    ])('%s', async (_name, overrides, code, message) => {
      const m = minter();
      const error = await m.mint(input(overrides)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(LakegateError);
      expect(error).toMatchObject({ code });
      expect((error as Error).message).toMatch(message);
      expect(m.keyCacheStats.fetches).toBe(0);
    });

    it('a blob endpoint function that yields no https URL', async () => {
      const m = minter({ blobEndpoint: (account) => `http://127.0.0.1:1/${account}` });
      await expect(m.mint(input())).rejects.toMatchObject({ code: 'FAILED_PRECONDITION', message: expect.stringMatching(/not an https URL/) });
      expect(m.keyCacheStats.fetches).toBe(0);
    });
  });
});
