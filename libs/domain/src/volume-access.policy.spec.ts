import { describe, expect, it } from 'vitest';
import { CATALOG_KEYS, type GrantList, type SecurableType } from '@lakegate/contracts';
import { applyCatalogEntry, emptyCatalogState, type CatalogState } from './catalog-state.js';
import { decideVolumeAccess } from './volume-access.policy.js';
import { identityForToken } from './token-auth.js';

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
let rev = 0;
const put = (state: CatalogState, key: string, value: unknown) => expect(applyCatalogEntry(state, key, enc(value), ++rev)).toBe(true);
const grant = (state: CatalogState, type: SecurableType, name: string, principal: string, privileges: string[]) => {
  const g: GrantList = { securable_type: type, securable_name: name, privilege_assignments: [{ principal, privileges }] };
  put(state, CATALOG_KEYS.grants(type, name), g);
};

function fixture(): CatalogState {
  const s = emptyCatalogState();
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
    }
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
    if (!d.allow) expect(d.error.details).toEqual(expect.objectContaining({ missingPrivileges: ['READ VOLUME'] }));
    grant(s, 'volume', 'c.s.landing', 'bob', ['WRITE VOLUME', 'READ VOLUME']);
    expect(decideVolumeAccess(s, { principal: 'bob', volumeId: 'v1', access: 'write' }).allow).toBe(true);
  });

  it('inherits from schema and catalog, and through nested groups', () => {
    const s = fixture();
    grant(s, 'catalog', 'c', 'data', ['READ VOLUME']);
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
    expect(applyCatalogEntry(s, CATALOG_KEYS.grants('volume', 'c.s.landing'), undefined, ++rev)).toBe(true);
    expect(decideVolumeAccess(s, { principal: 'bob', volumeId: 'v1', access: 'read' }).allow).toBe(false);
    expect(applyCatalogEntry(s, CATALOG_KEYS.volume('v1'), undefined, ++rev)).toBe(true);
    expect(s.volumeIdsByName.size).toBe(0);
  });

  it('ignores entries it cannot read', () => {
    const s = fixture();
    expect(applyCatalogEntry(s, 'volume.00', enc({ nope: 1 }), ++rev)).toBe(false);
    expect(applyCatalogEntry(s, 'weird.key', enc({}), ++rev)).toBe(false);
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
