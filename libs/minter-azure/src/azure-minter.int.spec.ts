import { describeMinterConformance, mintFailure } from '@lakegate/minter-conformance';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { AnonymousCredential, BlobServiceClient, ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { createSelfSignedTls, startEntraAuthority, type EntraAuthority, type SelfSignedTls } from '@lakegate/azure-emulators';
import type { StorageLocation } from '@lakegate/contracts';
import type { MintInput, MintResult } from '@lakegate/minter-core';
import { freePort } from '@lakegate/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type AzuriteProcess as AzuriteHandle } from '@lakegate/azure-emulators';
import { AzureMinter } from './azure-minter.adapter.js';
import type { AzureMinterOptions, AzureSourceIdentity } from './azure-minter.config.js';

/**
 * AzureMinter end to end: @azure/identity against the loopback Entra ID stand-in, the user delegation
 * key from the real Azurite (OAuth, HTTPS), and every vended SAS used with @azure/storage-blob against
 * Azurite, which enforces permissions, container and expiry. Azurite has no hierarchical namespace, so
 * directory SAS (`sr=d`) is covered by the unit tests; container scope is what runs here.
 */

const TENANT = '7f3c1f7e-52a1-4c36-9f51-6a0e1a2b3c4d';
const APP = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const APP_SECRET = 'app-secret-~value.1';
const WORKLOAD_APP = '1c2d3e4f-5061-7283-94a5-b6c7d8e9f0a1';
const FEDERATED_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.federated-service-account-token.sig';
const ARM_ONLY_APP = '2d3e4f50-6172-8394-a5b6-c7d8e9f0a1b2';
const FLAT = 'lakeflat1';
const HNS = 'lakehns1';

let tls: SelfSignedTls;
let authority: EntraAuthority;
let azurite: AzuriteHandle;
let tokenFile: string;

const clientOptions = () => ({ tlsOptions: { ca: [tls.cert] }, retryOptions: { maxTries: 1 } });
const secretIdentity = (overrides: Partial<AzureSourceIdentity> = {}): AzureSourceIdentity =>
  ({ kind: 'client-secret', tenantId: TENANT, clientId: APP, clientSecret: APP_SECRET, authorityHost: authority.url, disableInstanceDiscovery: true, ...overrides }) as AzureSourceIdentity;

const minter = (overrides: Partial<AzureMinterOptions> = {}): AzureMinter =>
  new AzureMinter({
    identities: [secretIdentity()],
    blobEndpoint: `${azurite.url}/{account}`,
    caCertificates: [tls.cert],
    maxAttempts: 1,
    requestTimeoutMs: 3000,
    ...overrides,
  });

const input = (overrides: { account?: string; hns?: boolean; clientId?: string; locations?: StorageLocation[]; durationSeconds?: number } = {}): MintInput => {
  const account = overrides.account ?? FLAT;
  return {
    requestId: 'req-0001',
    principal: 'alice@example.com',
    locations: overrides.locations ?? [{ url: `abfss://sales@${account}.dfs.core.windows.net/`, access: 'read' }],
    storageCredential: {
      name: 'lake',
      revision: 1,
      azure: { tenantId: TENANT, clientId: overrides.clientId ?? APP, accountName: account, hierarchicalNamespace: overrides.hns ?? false },
    },
    durationSeconds: overrides.durationSeconds ?? 3600,
  };
};

/** A container client that authenticates with nothing but the vended SAS. */
const withSas = (result: MintResult, account: string, container: string) =>
  new ContainerClient(`${azurite.blobEndpoint(account)}/${container}?${result.credential.azure?.sasToken ?? ''}`, new AnonymousCredential(), clientOptions());

/** 'ok', or the HTTP status and storage error code Azurite answered with. */
async function outcome(operation: Promise<unknown>): Promise<string> {
  try {
    await operation;
    return 'ok';
  } catch (error) {
    const e = error as { statusCode?: number; code?: string };
    if (e.statusCode === undefined) throw error;
    return `${e.statusCode} ${e.code ?? ''}`.trim();
  }
}

const failure = mintFailure;

const sasParams = (result: MintResult) => new URLSearchParams(result.credential.azure?.sasToken);

beforeAll(async () => {
  tls = await createSelfSignedTls();
  [azurite, authority] = await Promise.all([
    startAzurite({ accounts: [FLAT, HNS], certPath: tls.certPath, keyPath: tls.keyPath }),
    startEntraAuthority({
      tls,
      apps: [
        { tenantId: TENANT, clientId: APP, clientSecret: APP_SECRET },
        { tenantId: TENANT, clientId: WORKLOAD_APP, federatedTokens: [FEDERATED_TOKEN] },
        // Its tokens are for Azure Resource Manager, not storage: Azurite must refuse them.
        { tenantId: TENANT, clientId: ARM_ONLY_APP, clientSecret: APP_SECRET, audience: 'https://management.azure.com' },
      ],
    }),
  ]);
  tokenFile = join(tls.dir, 'azure-identity-token');
  await writeFile(tokenFile, FEDERATED_TOKEN);
  for (const { name, key } of azurite.accounts) {
    const admin = new BlobServiceClient(azurite.blobEndpoint(name), new StorageSharedKeyCredential(name, key), clientOptions());
    for (const container of ['sales', 'other']) {
      const c = admin.getContainerClient(container);
      await c.create();
      for (const blob of ['orders/2024/a.csv', 'readme.txt']) await c.getBlockBlobClient(blob).upload(`${container}:${blob}`, `${container}:${blob}`.length);
    }
  }
});

afterAll(async () => {
  await Promise.all([authority?.close(), azurite?.stop()]);
  await tls?.dispose();
});

describe('AzureMinter against Azurite and a local Entra ID authority', () => {
  it('vends a read SAS for a whole container that reads and lists it, and nothing more', async () => {
    const before = Date.now();
    const result = await minter().mint(input());
    const q = sasParams(result);

    expect(result.credential.cloud).toBe('azure');
    expect(result.credential.azure?.accountHost).toBe(`${FLAT}.dfs.core.windows.net`);
    expect({ sr: q.get('sr'), sp: q.get('sp'), sv: q.get('sv'), spr: q.get('spr'), sdd: q.get('sdd'), st: q.get('st') }).toEqual({ sr: 'c', sp: 'rl', sv: '2025-11-05', spr: 'https', sdd: null, st: null });
    expect(q.get('skoid')).toBe(authority.objectIdOf(TENANT, APP));
    expect(q.get('sktid')).toBe(TENANT);
    expect(new Date(q.get('se') ?? '').getTime()).toBe(result.credential.expiresAt);
    expect(result.credential.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3_600_000);
    expect(result.credential.expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);

    const sales = withSas(result, FLAT, 'sales');
    expect((await sales.getBlockBlobClient('orders/2024/a.csv').downloadToBuffer()).toString()).toBe('sales:orders/2024/a.csv');
    const names: string[] = [];
    for await (const blob of sales.listBlobsFlat()) names.push(blob.name);
    expect(names.sort()).toEqual(['orders/2024/a.csv', 'readme.txt']);

    expect(await outcome(sales.getBlockBlobClient('new.txt').upload('x', 1))).toBe('403 AuthorizationPermissionMismatch');
    expect(await outcome(sales.getBlockBlobClient('readme.txt').delete())).toBe('403 AuthorizationPermissionMismatch');
    expect(await outcome(withSas(result, FLAT, 'other').getBlockBlobClient('readme.txt').downloadToBuffer())).toMatch(/^403/);
    expect(await outcome(withSas(result, HNS, 'sales').getBlockBlobClient('readme.txt').downloadToBuffer())).toMatch(/^403/);
  });

  it('vends a write SAS that creates, overwrites, lists and deletes in its container only', async () => {
    const result = await minter().mint(input({ locations: [{ url: `abfss://sales@${FLAT}.dfs.core.windows.net`, access: 'write' }] }));
    expect(sasParams(result).get('sp')).toBe('racwdl');
    const sales = withSas(result, FLAT, 'sales');
    const blob = sales.getBlockBlobClient('staging/new.csv');
    expect(await outcome(blob.upload('v1', 2))).toBe('ok');
    expect(await outcome(blob.upload('v2!', 3))).toBe('ok');
    expect((await blob.downloadToBuffer()).toString()).toBe('v2!');
    const names: string[] = [];
    for await (const b of sales.listBlobsFlat({ prefix: 'staging/' })) names.push(b.name);
    expect(names).toEqual(['staging/new.csv']);
    expect(await outcome(blob.delete())).toBe('ok');
    expect(await outcome(withSas(result, FLAT, 'other').getBlockBlobClient('x.txt').upload('x', 1))).toMatch(/^403/);
  });

  it('vends a container SAS on a hierarchical-namespace account when the grant is the whole container', async () => {
    const result = await minter().mint(input({ account: HNS, hns: true, locations: [{ url: `abfss://sales@${HNS}.dfs.core.windows.net/`, access: 'read' }] }));
    expect(sasParams(result).get('sr')).toBe('c');
    expect(result.credential.azure?.accountHost).toBe(`${HNS}.dfs.core.windows.net`);
    expect((await withSas(result, HNS, 'sales').getBlockBlobClient('readme.txt').downloadToBuffer()).toString()).toBe('sales:readme.txt');
  });

  it('refuses a directory grant on a flat account without calling Azure', async () => {
    const m = minter();
    const calls = authority.calls.length;
    const error = await failure(m.mint(input({ locations: [{ url: `abfss://sales@${FLAT}.dfs.core.windows.net/orders`, access: 'read' }] })));
    expect(error.code).toBe('FAILED_PRECONDITION');
    expect(error.message).toMatch(/no hierarchical namespace/);
    expect(authority.calls.length).toBe(calls);
    expect(m.keyCacheStats.fetches).toBe(0);
  });

  it.each([
    [5, 60],
    [600, 600],
    [86_400, 7200],
  ])('clamps a requested %i s to %i s', async (requested, granted) => {
    const m = minter({ maxDurationSeconds: 7200 });
    const before = Date.now();
    const result = await m.mint(input({ durationSeconds: requested }));
    const after = Date.now();
    // se is whole seconds, cut down from the mint's own clock reading.
    expect(result.credential.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + granted * 1000);
    expect(result.credential.expiresAt).toBeLessThanOrEqual(after + granted * 1000);
    expect(await outcome(withSas(result, FLAT, 'sales').getBlockBlobClient('readme.txt').downloadToBuffer())).toBe('ok');
  });

  it('an expired SAS is refused', async () => {
    // A minter whose clock runs two hours behind vends a one-hour SAS that expired an hour ago.
    const result = await minter({ clock: () => Date.now() - 2 * 3_600_000 }).mint(input());
    expect(result.credential.expiresAt).toBeLessThan(Date.now() - 3_500_000);
    expect(await outcome(withSas(result, FLAT, 'sales').getBlockBlobClient('readme.txt').downloadToBuffer())).toMatch(/^403/);
  });

  it('never lets a SAS outlive the key that signed it', async () => {
    let offset = -(604_500 - 1800) * 1000; // the key fetched now expires 30 minutes from real time
    const m = minter({ clock: () => Date.now() + offset, keyRenewalMarginSeconds: 600 });
    await m.mint(input());
    offset = 0;
    const result = await m.mint(input({ durationSeconds: 3600 }));
    const q = sasParams(result);
    expect(m.keyCacheStats).toMatchObject({ fetches: 1, hits: 1 });
    expect(q.get('se')).toBe(q.get('ske'));
    expect(result.credential.expiresAt - Date.now()).toBeLessThanOrEqual(1_800_000);
    expect(result.credential.expiresAt - Date.now()).toBeGreaterThan(1_700_000);
    expect((await withSas(result, FLAT, 'sales').getBlockBlobClient('readme.txt').downloadToBuffer()).toString()).toBe('sales:readme.txt');
  });

  it('caches one key per identity and account, and concurrent mints share one fetch', async () => {
    const m = minter();
    const tokenCalls = authority.calls.length;
    const results = await Promise.all(Array.from({ length: 6 }, () => m.mint(input())));
    expect(m.keyCacheStats).toEqual({ fetches: 1, hits: 0, shared: 5 });
    await m.mint(input());
    expect(m.keyCacheStats).toEqual({ fetches: 1, hits: 1, shared: 5 });
    const hns = await m.mint(input({ account: HNS, hns: true }));
    expect(m.keyCacheStats.fetches).toBe(2);
    // Both keys were requested with one token: the credential caches it until it nears expiry.
    expect(authority.calls.length - tokenCalls).toBe(1);
    expect(new Set(results.map((r) => sasParams(r).get('skt'))).size).toBe(1);
    for (const [result, account] of [...results.map((r) => [r, FLAT] as const), [hns, HNS] as const]) {
      expect(await outcome(withSas(result, account, 'sales').getBlockBlobClient('readme.txt').downloadToBuffer())).toBe('ok');
    }
  });

  it('acts as a workload identity with its federated token file', async () => {
    const m = minter({ identities: [secretIdentity(), { kind: 'workload-identity', tenantId: TENANT, clientId: WORKLOAD_APP, tokenFilePath: tokenFile, authorityHost: authority.url, disableInstanceDiscovery: true }] });
    const result = await m.mint(input({ clientId: WORKLOAD_APP }));
    expect(sasParams(result).get('skoid')).toBe(authority.objectIdOf(TENANT, WORKLOAD_APP));
    expect(authority.calls.at(-1)).toMatchObject({ clientId: WORKLOAD_APP, clientAuth: 'assertion', status: 200 });
    expect(await outcome(withSas(result, FLAT, 'sales').getBlockBlobClient('readme.txt').downloadToBuffer())).toBe('ok');
  });

  describe('upstream failures', () => {
    it('a wrong client secret → UPSTREAM_DENIED naming the identity, never the secret', async () => {
      const error = await failure(minter({ identities: [secretIdentity({ clientSecret: 'not-the-secret' })] }).mint(input()));
      expect(error).toMatchObject({ code: 'UPSTREAM_DENIED', details: { azureErrorCode: 'invalid_client', aadsts: 'AADSTS7000215', clientId: APP } });
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(APP);
      expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('not-the-secret');
      expect(authority.calls.at(-1)).toMatchObject({ clientId: APP, status: 401, error: 'invalid_client' });
    });

    it('a federated token the authority does not trust → UPSTREAM_DENIED', async () => {
      const badToken = join(tls.dir, 'other-token');
      await writeFile(badToken, 'some-other-token');
      const m = minter({ identities: [{ kind: 'workload-identity', tenantId: TENANT, clientId: WORKLOAD_APP, tokenFilePath: badToken, authorityHost: authority.url, disableInstanceDiscovery: true }] });
      expect(await failure(m.mint(input({ clientId: WORKLOAD_APP })))).toMatchObject({ code: 'UPSTREAM_DENIED', details: { aadsts: 'AADSTS700213' } });
    });

    it('a token storage does not accept → UPSTREAM_DENIED from the account, naming the identity', async () => {
      const m = minter({ identities: [secretIdentity({ clientId: ARM_ONLY_APP })] });
      const error = await failure(m.mint(input({ clientId: ARM_ONLY_APP })));
      expect(error).toMatchObject({ code: 'UPSTREAM_DENIED', details: { httpStatus: 403, azureErrorCode: 'AuthenticationFailed', accountName: FLAT } });
      expect(error.message).toContain(ARM_ONLY_APP);
    });

    it('the authority answering 503 → UPSTREAM_UNAVAILABLE, and MSAL holds the client back for a while', async () => {
      const m = minter();
      authority.failNext(503, 'temporarily_unavailable');
      const error = await failure(m.mint(input()));
      expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { azureErrorCode: 'temporarily_unavailable' } });
      expect(error.retryable).toBe(true);
      const calls = authority.calls.length;
      expect(await failure(m.mint(input()))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { azureErrorCode: 'msal_throttled' } });
      expect(authority.calls.length).toBe(calls);
    });

    it('the authority dropping the connection → UPSTREAM_UNAVAILABLE, and the failure is not cached', async () => {
      const m = minter();
      authority.dropNext();
      expect(await failure(m.mint(input()))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { azureErrorCode: 'network_error' } });
      expect(await outcome(withSas(await m.mint(input()), FLAT, 'sales').getBlockBlobClient('readme.txt').downloadToBuffer())).toBe('ok');
      expect(m.keyCacheStats.fetches).toBe(2);
    });

    it('nothing listening at the authority → UPSTREAM_UNAVAILABLE', async () => {
      const port = await freePort();
      const error = await failure(minter({ identities: [secretIdentity({ authorityHost: `https://127.0.0.1:${port}` })] }).mint(input()));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    });

    it('an authority whose certificate is not trusted → UPSTREAM_UNAVAILABLE', async () => {
      const error = await failure(minter({ caCertificates: [] }).mint(input()));
      expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    });

    it('nothing listening at the storage endpoint → UPSTREAM_UNAVAILABLE', async () => {
      const port = await freePort();
      const error = await failure(minter({ blobEndpoint: `https://127.0.0.1:${port}/{account}` }).mint(input()));
      expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { azureErrorCode: 'ECONNREFUSED' } });
    });

    it('a storage endpoint that never answers → UPSTREAM_UNAVAILABLE after the request timeout', async () => {
      const sockets = new Set<Socket>();
      const silent: Server = createServer((socket) => sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as { port: number };
      try {
        const started = Date.now();
        const error = await failure(minter({ blobEndpoint: `https://127.0.0.1:${port}/{account}`, requestTimeoutMs: 300 }).mint(input()));
        expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });

    it('an account the storage service does not know → UPSTREAM_DENIED', async () => {
      const error = await failure(minter().mint(input({ account: 'nosuchacct' })));
      expect(error).toMatchObject({ code: 'UPSTREAM_DENIED', details: { httpStatus: 404, accountName: 'nosuchacct' } });
    });
  });
});

describeMinterConformance('azure', () => ({
  minter: () => minter(),
  read: () => input(),
  write: () => input({ locations: [{ url: `abfss://sales@${FLAT}.dfs.core.windows.net/`, access: 'write' }] }),
  foreign: () => input({ locations: [{ url: 's3://data-lake/sales', access: 'read' }] }),
}));
