import { describe, expect, it } from 'vitest';
import { CATALOG_KEYS } from '@lakegate/contracts';
import { grant, put, remove } from '../test/catalog-fixture.js';
import { applyCatalogEntry, emptyCatalogState, type CatalogState } from './catalog-state.js';
import { decidePathAccess, decideTableAccess, decideVolumeAccess } from './uc-access.policy.js';
import { identityForToken } from './token-auth.js';


/** A catalog where only the privileges under test are missing: bob may use c.s externally. */
function fixture(): CatalogState {
  const s = emptyCatalogState();
  put(s, CATALOG_KEYS.metastore, { metastore_id: 'm', name: 'm', region: 'us-east-1', cloud: 'aws', aws_account_id: '123456789012', external_access_enabled: true });
  put(s, CATALOG_KEYS.catalog('c'), { name: 'c', owner: 'catowner', created_at: 1 });
  put(s, CATALOG_KEYS.schema('c.s'), { catalog_name: 'c', name: 's', full_name: 'c.s', owner: 'schemaowner', created_at: 1 });
  put(s, CATALOG_KEYS.grants('catalog', 'c'), { securable_type: 'catalog', securable_name: 'c', privilege_assignments: [{ principal: 'account users', privileges: ['USE_CATALOG'] }] });
  put(s, CATALOG_KEYS.grants('schema', 'c.s'), { securable_type: 'schema', securable_name: 'c.s', privilege_assignments: [{ principal: 'account users', privileges: ['USE SCHEMA', 'EXTERNAL USE SCHEMA'] }] });
  put(s, CATALOG_KEYS.principal('ana'), { name: 'ana', type: 'USER', member_of: ['analysts'] });
  put(s, CATALOG_KEYS.principal('analysts'), { name: 'analysts', type: 'GROUP', member_of: ['data'] });
  put(s, CATALOG_KEYS.principal('data'), { name: 'data', type: 'GROUP' });
  put(s, CATALOG_KEYS.principal('bob'), { name: 'bob', type: 'USER' });
  put(s, CATALOG_KEYS.storageCredential('cred'), { name: 'cred', owner: 'admin', aws_iam_role: { role_arn: 'arn:aws:iam::123456789012:role/r', external_id: 'x' } });
  put(s, CATALOG_KEYS.externalLocation('loc'), { name: 'loc', url: 's3://lake/volumes', credential_name: 'cred', owner: 'admin' });
  put(s, CATALOG_KEYS.volume('v1'), {
    volume_id: 'v1', catalog_name: 'c', schema_name: 's', name: 'landing', full_name: 'c.s.landing',
    volume_type: 'EXTERNAL', storage_location: 's3a://LAKE/volumes//landing/', owner: 'owner1', created_at: 1,
  });
  return s;
}

describe('decideVolumeAccess', () => {
  it('denies by default, naming the missing privilege', () => {
    const d = decideVolumeAccess(fixture(), { principal: 'bob', volumeId: 'v1', access: 'read' });
    expect(d.allow).toBe(false);
    if (!d.allow) {
      expect(d.error.code).toBe('PERMISSION_DENIED');
      expect(d.error.message).toContain('READ VOLUME');
      expect(d.error.details).toEqual({ missingPrivileges: ["READ VOLUME on volume 'c.s.landing'"] });
    }
  });

  it('vends nothing while external access is disabled on the metastore', () => {
    const s = fixture();
    grant(s, 'volume', 'c.s.landing', 'bob', ['READ VOLUME']);
    put(s, CATALOG_KEYS.metastore, { metastore_id: 'm', name: 'm', region: 'us-east-1', cloud: 'aws', aws_account_id: '123456789012', external_access_enabled: false });
    const d = decideVolumeAccess(s, { principal: 'bob', volumeId: 'v1', access: 'read' });
    expect(d).toMatchObject({ allow: false, error: { code: 'PERMISSION_DENIED', details: { setting: 'external_access_enabled' } } });
  });

  it('needs EXTERNAL USE SCHEMA granted by name: neither ALL PRIVILEGES nor schema or catalog ownership includes it', () => {
    const s = fixture();
    grant(s, 'schema', 'c.s', 'bob', ['ALL PRIVILEGES']);
    grant(s, 'volume', 'c.s.landing', 'bob', ['READ VOLUME']);
    for (const principal of ['bob', 'schemaowner', 'catowner']) {
      const d = decideVolumeAccess(s, { principal, volumeId: 'v1', access: 'read' });
      expect(d.allow, principal).toBe(false);
      if (!d.allow) expect(d.error.message).toContain('EXTERNAL USE SCHEMA');
    }
    grant(s, 'schema', 'c.s', 'schemaowner', ['EXTERNAL_USE_SCHEMA']);
    expect(decideVolumeAccess(s, { principal: 'schemaowner', volumeId: 'v1', access: 'write' }).allow).toBe(true);
  });

  it('needs USE CATALOG and USE SCHEMA', () => {
    const s = fixture();
    grant(s, 'volume', 'c.s.landing', 'bob', ['READ VOLUME']);
    put(s, CATALOG_KEYS.grants('catalog', 'c'), { securable_type: 'catalog', securable_name: 'c', privilege_assignments: [] });
    const d = decideVolumeAccess(s, { principal: 'bob', volumeId: 'v1', access: 'read' });
    expect(d).toMatchObject({ allow: false, error: { details: { missingPrivileges: ["USE CATALOG on catalog 'c'"] } } });
  });

  it('allows read with READ VOLUME and scopes to exactly the normalised volume location', () => {
    const s = fixture();
    grant(s, 'volume', 'c.s.landing', 'bob', ['READ_VOLUME']);
    const d = decideVolumeAccess(s, { principal: 'bob', volumeId: 'v1', access: 'read' });
    expect(d).toMatchObject({ allow: true, scope: { cloud: 'aws', locations: [{ url: 's3://lake/volumes/landing', access: 'read' }] } });
    if (d.allow) expect(d.scope.storageCredential).toMatchObject({ name: 'cred', aws: { roleArn: 'arn:aws:iam::123456789012:role/r', externalId: 'x' } });
  });

  it('needs both READ VOLUME and WRITE VOLUME to write', () => {
    const s = fixture();
    grant(s, 'volume', 'c.s.landing', 'bob', ['WRITE VOLUME']);
    const d = decideVolumeAccess(s, { principal: 'bob', volumeId: 'v1', access: 'write' });
    expect(d.allow).toBe(false);
    if (!d.allow) expect(d.error.details).toEqual({ missingPrivileges: ["READ VOLUME on volume 'c.s.landing'"] });
    grant(s, 'volume', 'c.s.landing', 'bob', ['WRITE VOLUME', 'READ VOLUME']);
    expect(decideVolumeAccess(s, { principal: 'bob', volumeId: 'v1', access: 'write' }).allow).toBe(true);
  });

  it('inherits from schema and catalog, and through nested groups', () => {
    const s = fixture();
    grant(s, 'catalog', 'c', 'data', ['READ VOLUME', 'USE CATALOG']);
    expect(decideVolumeAccess(s, { principal: 'ana', volumeId: 'v1', access: 'read' }).allow).toBe(true);
    expect(decideVolumeAccess(s, { principal: 'bob', volumeId: 'v1', access: 'read' }).allow).toBe(false);
  });

  it('does not borrow grants from another volume or a look-alike name', () => {
    const s = fixture();
    grant(s, 'volume', 'c.s.landing2', 'bob', ['ALL PRIVILEGES']);
    grant(s, 'schema', 'c.s2', 'bob', ['ALL PRIVILEGES']);
    expect(decideVolumeAccess(s, { principal: 'bob', volumeId: 'v1', access: 'read' }).allow).toBe(false);
  });

  it('lets the owner read and write', () => {
    expect(decideVolumeAccess(fixture(), { principal: 'owner1', volumeId: 'v1', access: 'write' }).allow).toBe(true);
  });

  it('answers NOT_FOUND for an unknown volume and FAILED_PRECONDITION without a covering location', () => {
    const s = fixture();
    expect(decideVolumeAccess(s, { principal: 'owner1', volumeId: 'nope', access: 'read' })).toMatchObject({ allow: false, error: { code: 'NOT_FOUND' } });
    put(s, CATALOG_KEYS.externalLocation('loc'), { name: 'loc', url: 's3://lake/volumes/land', credential_name: 'cred', owner: 'admin' });
    expect(decideVolumeAccess(s, { principal: 'owner1', volumeId: 'v1', access: 'read' })).toMatchObject({ allow: false, error: { code: 'FAILED_PRECONDITION' } });
  });

  it('follows deletes from the KV watch', () => {
    const s = fixture();
    grant(s, 'volume', 'c.s.landing', 'bob', ['READ VOLUME']);
    remove(s, CATALOG_KEYS.grants('volume', 'c.s.landing'));
    expect(decideVolumeAccess(s, { principal: 'bob', volumeId: 'v1', access: 'read' }).allow).toBe(false);
    remove(s, CATALOG_KEYS.volume('v1'));
    expect(s.volumeIdsByName.size).toBe(0);
  });

  it('ignores entries it cannot read', () => {
    const s = fixture();
    expect(applyCatalogEntry(s, 'volume.00', new TextEncoder().encode(JSON.stringify({ nope: 1 })), 1)).toBe(false);
    expect(applyCatalogEntry(s, 'weird.key', new TextEncoder().encode('{}'), 1)).toBe(false);
  });
});

describe('identityForToken', () => {
  const sha = 'a'.repeat(64);
  it('accepts a live token and refuses expired, revoked or orphaned ones', () => {
    const s = fixture();
    put(s, CATALOG_KEYS.token(sha), { token_id: 't1', principal: 'bob', token_sha256: sha, created_at: 0, expires_at: 1000 });
    expect(identityForToken(s, sha, 999)).toEqual({ principal: 'bob', tokenId: 't1' });
    expect(identityForToken(s, sha, 1000)).toBeUndefined();
    put(s, CATALOG_KEYS.token(sha), { token_id: 't1', principal: 'bob', token_sha256: sha, created_at: 0, revoked: true });
    expect(identityForToken(s, sha, 0)).toBeUndefined();
    put(s, CATALOG_KEYS.token(sha), { token_id: 't1', principal: 'ghost', token_sha256: sha, created_at: 0 });
    expect(identityForToken(s, sha, 0)).toBeUndefined();
    expect(identityForToken(s, 'b'.repeat(64), 0)).toBeUndefined();
  });
});

describe('decideTableAccess', () => {
  const withTable = () => {
    const s = fixture();
    put(s, CATALOG_KEYS.table('t1'), {
      table_id: 't1', catalog_name: 'c', schema_name: 's', name: 'sales', full_name: 'c.s.sales', table_type: 'EXTERNAL', data_source_format: 'DELTA',
      storage_location: 's3://lake/volumes/tables/sales', auxiliary_locations: ['s3://lake/volumes/aux/sales'], owner: 'owner1', created_at: 1,
    });
    return s;
  };

  it('reads with SELECT, writes with SELECT and MODIFY, and scopes to the table and its auxiliary locations', () => {
    const s = withTable();
    grant(s, 'table', 'c.s.sales', 'bob', ['SELECT']);
    expect(decideTableAccess(s, { principal: 'bob', tableId: 't1', access: 'read' })).toMatchObject({
      allow: true,
      scope: { locations: [{ url: 's3://lake/volumes/tables/sales', access: 'read' }, { url: 's3://lake/volumes/aux/sales', access: 'read' }] },
    });
    expect(decideTableAccess(s, { principal: 'bob', tableId: 't1', access: 'write' })).toMatchObject({ allow: false, error: { code: 'PERMISSION_DENIED' } });
    grant(s, 'schema', 'c.s', 'bob', ['MODIFY', 'SELECT', 'USE SCHEMA', 'EXTERNAL USE SCHEMA']);
    expect(decideTableAccess(s, { principal: 'bob', tableId: 't1', access: 'write' }).allow).toBe(true);
  });

  it('answers NOT_FOUND for an unknown table', () => {
    expect(decideTableAccess(withTable(), { principal: 'bob', tableId: 'zz', access: 'read' })).toMatchObject({ allow: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('decidePathAccess', () => {
  const withGrants = (privileges: string[]) => {
    const s = fixture();
    grant(s, 'external_location', 'loc', 'bob', privileges);
    return s;
  };

  it('needs EXTERNAL USE LOCATION and READ FILES (+ WRITE FILES, + CREATE EXTERNAL TABLE)', () => {
    expect(decidePathAccess(withGrants(['READ FILES']), { principal: 'bob', url: 's3://lake/volumes/raw/x', operation: 'read' }).allow).toBe(false);
    expect(decidePathAccess(withGrants(['ALL PRIVILEGES']), { principal: 'bob', url: 's3://lake/volumes/raw/x', operation: 'read' }).allow).toBe(false);
    const s = withGrants(['EXTERNAL USE LOCATION', 'READ FILES']);
    expect(decidePathAccess(s, { principal: 'bob', url: 's3a://LAKE/volumes//raw/x/', operation: 'read' })).toMatchObject({
      allow: true,
      scope: { locations: [{ url: 's3://lake/volumes/raw/x', access: 'read' }] },
    });
    expect(decidePathAccess(s, { principal: 'bob', url: 's3://lake/volumes/raw/x', operation: 'read-write' }).allow).toBe(false);
    expect(decidePathAccess(s, { principal: 'bob', url: 's3://lake/volumes/raw/x', operation: 'create-table' }).allow).toBe(false);
  });

  it('refuses a path inside or around a volume, so it never borrows the location grants for it', () => {
    const s = withGrants(['EXTERNAL USE LOCATION', 'READ FILES']);
    expect(decidePathAccess(s, { principal: 'bob', url: 's3://lake/volumes/landing/file', operation: 'read' })).toMatchObject({ allow: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(decidePathAccess(s, { principal: 'bob', url: 's3://lake/volumes', operation: 'read' })).toMatchObject({ allow: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(decidePathAccess(s, { principal: 'bob', url: 's3://lake/volumes/landing_archive', operation: 'read' }).allow).toBe(true);
  });

  it('answers NOT_FOUND outside every external location and INVALID_ARGUMENT for a malformed URL', () => {
    const s = withGrants(['EXTERNAL USE LOCATION', 'READ FILES']);
    expect(decidePathAccess(s, { principal: 'bob', url: 's3://elsewhere/x', operation: 'read' })).toMatchObject({ allow: false, error: { code: 'NOT_FOUND' } });
    expect(decidePathAccess(s, { principal: 'bob', url: 's3://lake/../x', operation: 'read' })).toMatchObject({ allow: false, error: { code: 'INVALID_ARGUMENT' } });
  });
});
