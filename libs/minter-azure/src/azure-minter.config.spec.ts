import { describe, expect, it } from 'vitest';
import { DEFAULT_SAS_VERSION, findIdentity, resolveAzureMinterConfig, type AzureMinterOptions, type AzureSourceIdentity } from './azure-minter.config.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const SECRET_IDENTITY: AzureSourceIdentity = { kind: 'client-secret', tenantId: TENANT, clientId: CLIENT, clientSecret: 'secret-value' };

function problemsOf(options: AzureMinterOptions): string[] {
  try {
    resolveAzureMinterConfig(options);
  } catch (error) {
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    return (error as { details: { problems: string[] } }).details.problems;
  }
  return [];
}

describe('resolveAzureMinterConfig', () => {
  it('applies defaults', () => {
    const config = resolveAzureMinterConfig({ identities: [SECRET_IDENTITY] });
    expect(config).toMatchObject({
      identities: [SECRET_IDENTITY],
      sasVersion: DEFAULT_SAS_VERSION,
      maxDurationSeconds: 43_200,
      keyRenewalMarginSeconds: 43_200,
      caCertificates: [],
      requestTimeoutMs: 5000,
      maxAttempts: 3,
    });
    expect(config.sasVersion).toBe('2025-11-05');
    expect(config.blobEndpoint('lakeacct1')).toBe('https://lakeacct1.blob.core.windows.net');
    expect(config.clock).toBe(Date.now);
  });

  it.each([
    ['a template', 'https://127.0.0.1:10000/{account}', 'https://127.0.0.1:10000/lakeacct1'],
    ['a sovereign cloud template', 'https://{account}.blob.core.usgovcloudapi.net', 'https://lakeacct1.blob.core.usgovcloudapi.net'],
    ['a function', (account: string) => `https://proxy.example/${account}`, 'https://proxy.example/lakeacct1'],
  ])('accepts blobEndpoint as %s', (_name, blobEndpoint, expected) => {
    expect(resolveAzureMinterConfig({ identities: [SECRET_IDENTITY], blobEndpoint }).blobEndpoint('lakeacct1')).toBe(expected);
  });

  it('caps the default renewal margin so a key is reused for at least an hour', () => {
    const config = resolveAzureMinterConfig({ identities: [SECRET_IDENTITY], maxDurationSeconds: 604_500 });
    expect(config.keyRenewalMarginSeconds).toBe(604_500 - 3600);
  });

  it.each([
    ['client-secret', SECRET_IDENTITY],
    ['client-secret with a local authority', { ...SECRET_IDENTITY, authorityHost: 'https://127.0.0.1:8443', disableInstanceDiscovery: true }],
    ['client-secret with a domain tenant', { ...SECRET_IDENTITY, tenantId: 'contoso.onmicrosoft.com' }],
    ['workload identity', { kind: 'workload-identity', tenantId: TENANT, clientId: CLIENT, tokenFilePath: '/var/run/secrets/azure/tokens/azure-identity-token' }],
    ['user-assigned managed identity', { kind: 'managed-identity', clientId: CLIENT }],
    ['system-assigned managed identity', { kind: 'managed-identity', clientId: CLIENT, tenantId: TENANT, systemAssigned: true }],
    ['the default chain', { kind: 'default', clientId: CLIENT }],
  ] as [string, AzureSourceIdentity][])('accepts a %s identity', (_name, identity) => {
    expect(resolveAzureMinterConfig({ identities: [identity] }).identities).toEqual([identity]);
  });

  it('lists every problem in one INVALID_ARGUMENT error, without the secret', () => {
    const problems = problemsOf({
      identities: [
        { kind: 'client-secret', tenantId: 'not a tenant!', clientId: '', clientSecret: '' },
        { kind: 'workload-identity', clientId: CLIENT, tokenFilePath: '' } as unknown as AzureSourceIdentity,
        { kind: 'managed-identity' } as unknown as AzureSourceIdentity,
        { kind: 'certificate', clientId: CLIENT } as unknown as AzureSourceIdentity,
        { ...SECRET_IDENTITY, authorityHost: 'http://login.example' },
        SECRET_IDENTITY,
        { ...SECRET_IDENTITY, clientSecret: 'another-secret' },
      ],
      blobEndpoint: 'http://127.0.0.1:10000/{account}',
      sasVersion: '2019-12-12',
      maxDurationSeconds: 30,
      keyRenewalMarginSeconds: -1,
      caCertificates: ['not a certificate'],
      requestTimeoutMs: 0,
      maxAttempts: 11,
      clock: 'now' as unknown as () => number,
    });
    const expected = [
      'identities[0] (client-secret): clientId is required',
      'identities[0] (client-secret): tenantId must be a GUID or a domain name',
      'identities[0] (client-secret): clientSecret is required',
      'identities[1] (workload-identity): tenantId is required',
      'identities[1] (workload-identity): tokenFilePath is required',
      'identities[2] (managed-identity): clientId is required',
      "identities[3]: kind 'certificate' is not one of",
      "identities[4] (client-secret): authorityHost 'http://login.example' must be https",
      `identities[6]: client id '${CLIENT}' is configured twice`,
      "blobEndpoint 'http://127.0.0.1:10000/{account}' must be https",
      'sasVersion must be',
      'maxDurationSeconds must be an integer from 60 to 604500',
      'keyRenewalMarginSeconds must be an integer from 0 to 600900',
      'caCertificates must be PEM certificates',
      'requestTimeoutMs must be a positive integer',
      'maxAttempts must be an integer from 1 to 10',
      'clock must be a function',
    ];
    for (const fragment of expected) expect(problems.some((p) => p.includes(fragment)), fragment).toBe(true);
    expect(problems).toHaveLength(expected.length);
    expect(JSON.stringify(problems)).not.toMatch(/secret-value|another-secret/);
  });

  it.each([
    ['no identities', { identities: [] }, 'identities must list at least one identity'],
    ['a template without {account}', { identities: [SECRET_IDENTITY], blobEndpoint: 'https://127.0.0.1:10000/devstoreaccount1' }, "containing '{account}'"],
    ['a template that is no URL', { identities: [SECRET_IDENTITY], blobEndpoint: 'not a url/{account}' }, 'is not a URL'],
    ['a template with a query', { identities: [SECRET_IDENTITY], blobEndpoint: 'https://x/{account}?sv=1' }, 'must not carry'],
    ['a non-date SAS version', { identities: [SECRET_IDENTITY], sasVersion: 'latest' }, 'sasVersion'],
    ['a fractional duration', { identities: [SECRET_IDENTITY], maxDurationSeconds: 3600.5 }, 'maxDurationSeconds'],
    ['a duration beyond the key life', { identities: [SECRET_IDENTITY], maxDurationSeconds: 604_801 }, 'maxDurationSeconds'],
    ['a margin that leaves no reuse', { identities: [SECRET_IDENTITY], keyRenewalMarginSeconds: 604_500 }, 'keyRenewalMarginSeconds'],
  ] as [string, AzureMinterOptions, string][])('refuses %s', (_name, options, fragment) => {
    const problems = problemsOf(options);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(fragment);
  });

  it.each([
    ['60 s', 60],
    ['7 days minus the clock-skew allowance', 604_500],
  ])('accepts maxDurationSeconds of %s', (_name, seconds) => {
    expect(resolveAzureMinterConfig({ identities: [SECRET_IDENTITY], maxDurationSeconds: seconds }).maxDurationSeconds).toBe(seconds);
  });
});

describe('findIdentity', () => {
  const MI: AzureSourceIdentity = { kind: 'managed-identity', clientId: 'bbbbbbbb-0000-0000-0000-000000000001' };
  const OTHER_TENANT: AzureSourceIdentity = { ...SECRET_IDENTITY, tenantId: '99999999-2222-3333-4444-555555555555', clientSecret: 's2' };
  const identities = [SECRET_IDENTITY, MI, OTHER_TENANT];

  it.each([
    ['exact client and tenant', { tenantId: TENANT, clientId: CLIENT }, SECRET_IDENTITY],
    ['ids compare case-insensitively', { tenantId: TENANT.toUpperCase(), clientId: CLIENT.toUpperCase() }, SECRET_IDENTITY],
    ['a multi-tenant app picks the identity of the named tenant', { tenantId: '99999999-2222-3333-4444-555555555555', clientId: CLIENT }, OTHER_TENANT],
    ['an identity without a declared tenant matches on the client id', { tenantId: TENANT, clientId: 'BBBBBBBB-0000-0000-0000-000000000001' }, MI],
    ['another tenant for a client id → none', { tenantId: '00000000-0000-0000-0000-000000000000', clientId: CLIENT }, undefined],
    ['an unknown client id → none', { tenantId: TENANT, clientId: 'cccccccc-0000-0000-0000-000000000000' }, undefined],
  ])('%s', (_name, ref, expected) => {
    expect(findIdentity(identities, ref)).toBe(expected);
  });
});
