import type { StorageLocation } from '@lakegate/contracts';
import { describe, expect, it } from 'vitest';
import { planSasScope, SAS_PERMISSIONS, sasExpiry, type AzureAccountRef } from './sas-scope.js';

const HNS: AzureAccountRef = { accountName: 'lakeacct1', hierarchicalNamespace: true };
const FLAT: AzureAccountRef = { accountName: 'lakeacct1', hierarchicalNamespace: false };
const at = (path: string) => `abfss://sales@lakeacct1.dfs.core.windows.net${path}`;
const read = (url: string): StorageLocation => ({ url, access: 'read' });
const write = (url: string): StorageLocation => ({ url, access: 'write' });

describe('SAS_PERMISSIONS', () => {
  it('read lists and reads; write adds add, create, write and delete, in Azure’s order', () => {
    expect(SAS_PERMISSIONS).toEqual({ read: 'rl', write: 'racwdl' });
  });
});

describe('planSasScope', () => {
  it.each([
    ['HNS: a directory → directory SAS with its depth', HNS, [read(at('/orders/2024'))], { resource: 'd', directory: 'orders/2024', directoryDepth: 2, access: 'read', permissions: 'rl' }],
    ['HNS: one segment', HNS, [write(at('/orders'))], { resource: 'd', directory: 'orders', directoryDepth: 1, access: 'write', permissions: 'racwdl' }],
    ['HNS: the container root → container SAS', HNS, [read(at(''))], { resource: 'c', directory: '', directoryDepth: 0, access: 'read', permissions: 'rl' }],
    ['HNS: a trailing slash is the container root', HNS, [write(at('/'))], { resource: 'c', directory: '', directoryDepth: 0, access: 'write', permissions: 'racwdl' }],
    ['flat: the whole container → container SAS', FLAT, [read(at(''))], { resource: 'c', directory: '', directoryDepth: 0, access: 'read', permissions: 'rl' }],
    ['flat: whole-container write', FLAT, [write(at('/'))], { resource: 'c', directory: '', directoryDepth: 0, access: 'write', permissions: 'racwdl' }],
    ['dot segments and duplicate slashes are normalised', HNS, [read(at('//orders/./2024/../2025/'))], { resource: 'd', directory: 'orders/2025', directoryDepth: 2 }],
    ['percent-encoding is decoded', HNS, [read(at('/a%20b/c'))], { resource: 'd', directory: 'a b/c', directoryDepth: 2 }],
    ['a location inside another adds nothing', HNS, [read(at('/orders')), read(at('/orders/2024'))], { resource: 'd', directory: 'orders', directoryDepth: 1, access: 'read' }],
    ['read inside write is covered by write', HNS, [write(at('/orders')), read(at('/orders/2024'))], { directory: 'orders', access: 'write', permissions: 'racwdl' }],
    ['the same URL read and write → write', HNS, [read(at('/orders')), write(at('/orders/'))], { directory: 'orders', access: 'write' }],
    ['anything inside the whole container collapses to it', FLAT, [read(at('')), read(at('/orders'))], { resource: 'c', access: 'read' }],
    ['the account host is the dfs host whatever the URL used', HNS, [read('abfs://sales@LAKEACCT1.blob.core.windows.net/x')], { accountHost: 'lakeacct1.dfs.core.windows.net', container: 'sales' }],
  ] as const)('%s', (_name, account, locations, expected) => {
    const scope = planSasScope(locations, account);
    expect(scope).toMatchObject({ accountName: 'lakeacct1', accountHost: 'lakeacct1.dfs.core.windows.net', container: 'sales', ...expected });
  });

  it.each([
    ['flat: a directory', FLAT, [read(at('/orders'))], 'FAILED_PRECONDITION', /no hierarchical namespace.*only 'sales\/orders'/],
    ['flat: nested directories', FLAT, [read(at('/orders/2024')), write(at('/orders/2024/x'))], 'FAILED_PRECONDITION', /never vends wider than the grant/],
    ['two containers', HNS, [read(at('/a')), read('abfss://other@lakeacct1.dfs.core.windows.net/a')], 'INVALID_ARGUMENT', /'other', 'sales'/],
    ['two containers on a flat account', FLAT, [read(at('')), read('abfss://other@lakeacct1.dfs.core.windows.net')], 'INVALID_ARGUMENT', /one container/],
    ['two disjoint directories', HNS, [read(at('/a')), read(at('/b'))], 'INVALID_ARGUMENT', /one directory/],
    ['segment boundaries: /sales is not inside /sale', HNS, [read(at('/sale')), read(at('/sales'))], 'INVALID_ARGUMENT', /disjoint/],
    ['write inside read', HNS, [read(at('/orders')), write(at('/orders/2024'))], 'INVALID_ARGUMENT', /without widening/],
    ['another account', HNS, [read('abfss://sales@otheracct.dfs.core.windows.net/a')], 'FAILED_PRECONDITION', /not in storage account 'lakeacct1'/],
    ['an s3 location', HNS, [read('s3://bucket/a')], 'INVALID_ARGUMENT', /only scopes abfss/],
    ['a gs location', FLAT, [read('gs://bucket/a')], 'INVALID_ARGUMENT', /only scopes abfss/],
    ['unknown access', HNS, [{ url: at('/a'), access: 'admin' } as unknown as StorageLocation], 'INVALID_ARGUMENT', /Unknown access 'admin'/],
    ['no location', HNS, [], 'INVALID_ARGUMENT', /No storage location/],
    ['.. above the container', HNS, [read(at('/../x'))], 'INVALID_ARGUMENT', /climbs above/],
  ] as const)('refuses %s', (_name, account, locations, code, message) => {
    let error: unknown;
    try {
      planSasScope(locations, account);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(message);
  });
});

describe('sasExpiry', () => {
  const now = Date.UTC(2030, 0, 1, 12, 0, 0, 400);
  it.each([
    ['the requested duration when the key outlives it', 3600, now + 7 * 86_400_000, Date.UTC(2030, 0, 1, 13, 0, 0)],
    ['the key’s expiry when it comes first', 3600, Date.UTC(2030, 0, 1, 12, 30, 0), Date.UTC(2030, 0, 1, 12, 30, 0)],
    ['truncated to the second (se has no milliseconds)', 60, now + 86_400_000, Date.UTC(2030, 0, 1, 12, 1, 0)],
    ['a key expiring within the second', 3600, Date.UTC(2030, 0, 1, 12, 0, 5, 999), Date.UTC(2030, 0, 1, 12, 0, 5)],
    ['equal bounds', 600, now + 600_000, Date.UTC(2030, 0, 1, 12, 10, 0)],
  ])('%s', (_name, seconds, keyExpiry, expected) => {
    expect(sasExpiry(now, seconds, keyExpiry)).toBe(expected);
  });
});
