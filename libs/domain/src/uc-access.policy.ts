import { LakegateError, type Access, type Cloud, type StorageCredentialRef, type StorageLocation } from '@lakegate/contracts';
import type { CatalogState } from './catalog-state.js';
import { holdsPrivilege, principalsOf, PRIVILEGES, type Privilege, type SecurableRef } from './privileges.js';
import { resolveStorage } from './storage-resolution.js';
import { locationCovers, normaliseLocation, type StorageUrl } from './storage-url.js';

/** The exact scope a credential may reach, and the identity that mints it. */
export interface StorageScope {
  cloud: Cloud;
  locations: StorageLocation[];
  storageCredential: StorageCredentialRef;
}

export type Decision =
  | { allow: true; scope: StorageScope; resources: { type: string; name: string }[] }
  | { allow: false; error: LakegateError };

const deny = (code: 'NOT_FOUND' | 'PERMISSION_DENIED' | 'FAILED_PRECONDITION' | 'INVALID_ARGUMENT', message: string, details?: Record<string, unknown>): Decision => ({
  allow: false,
  error: new LakegateError(code, message, details ? { details } : undefined),
});

/** Privileges that neither ownership nor ALL PRIVILEGES confers: they must be granted explicitly. */
const EXPLICIT_ONLY = new Set<Privilege>([PRIVILEGES.externalUseSchema, PRIVILEGES.externalUseLocation]);

export interface ChainEntry extends SecurableRef {
  owner: string | undefined;
}

/**
 * Whether the principal holds `privilege` through the chain (object → schema → catalog):
 * a grant to it or one of its groups on any level, ALL PRIVILEGES, or ownership of any level —
 * except for the EXTERNAL USE privileges, which count only when granted by name.
 */
export function has(state: CatalogState, identities: Set<string>, privilege: Privilege, chain: readonly ChainEntry[]): boolean {
  if (!EXPLICIT_ONLY.has(privilege) && chain.some((c) => c.owner !== undefined && identities.has(c.owner))) return true;
  return holdsPrivilege(state, identities, privilege, chain, { allPrivilegesCovers: !EXPLICIT_ONLY.has(privilege) });
}

function externalAccessDisabled(state: CatalogState): Decision | undefined {
  if (state.metastore?.value.external_access_enabled) return undefined;
  return deny('PERMISSION_DENIED', 'External access is disabled on this metastore: a metastore admin must set external_access_enabled to true.', {
    setting: 'external_access_enabled',
  });
}

/** The catalog → schema chain above an object, with owners. */
export function parentChain(state: CatalogState, catalog: string, schema: string): ChainEntry[] {
  const schemaFull = `${catalog}.${schema}`;
  return [
    { type: 'schema', name: schemaFull, owner: state.schemas.get(schemaFull)?.value.owner },
    { type: 'catalog', name: catalog, owner: state.catalogs.get(catalog)?.value.owner },
  ];
}

function missingPrivileges(state: CatalogState, principal: string, object: ChainEntry, catalog: string, schema: string, needed: Privilege[]): string[] {
  const identities = principalsOf(state, principal);
  const parents = parentChain(state, catalog, schema);
  const schemaChain = parents;
  const catalogChain = parents.slice(1);
  const objectChain = [object, ...parents];
  const missing: string[] = [];
  if (!has(state, identities, PRIVILEGES.useCatalog, catalogChain)) missing.push(`USE CATALOG on catalog '${catalog}'`);
  if (!has(state, identities, PRIVILEGES.useSchema, schemaChain)) missing.push(`USE SCHEMA on schema '${catalog}.${schema}'`);
  if (!has(state, identities, PRIVILEGES.externalUseSchema, schemaChain)) missing.push(`EXTERNAL USE SCHEMA on schema '${catalog}.${schema}'`);
  for (const p of needed) if (!has(state, identities, p, objectChain)) missing.push(`${p} on ${object.type} '${object.name}'`);
  return missing;
}

function denyMissing(principal: string, missing: string[]): Decision {
  return deny('PERMISSION_DENIED', `User '${principal}' does not have ${missing.join(', ')}.`, { missingPrivileges: missing });
}

function scopeFor(state: CatalogState, urls: readonly string[], access: Access, what: string, resources: { type: string; name: string }[]): Decision {
  let targets: StorageUrl[];
  try {
    targets = urls.map((u) => normaliseLocation(u));
  } catch (error) {
    return { allow: false, error: new LakegateError('FAILED_PRECONDITION', `${what} has an invalid storage location.`, { cause: error }) };
  }
  const resolved = resolveStorage(state, targets, what);
  if (resolved instanceof LakegateError) return { allow: false, error: resolved };
  return {
    allow: true,
    scope: { cloud: resolved.cloud, locations: targets.map((t) => ({ url: t.url, access })), storageCredential: resolved.credential },
    resources,
  };
}

/**
 * Unity Catalog volume credentials: external access enabled on the metastore; USE CATALOG,
 * USE SCHEMA, EXTERNAL USE SCHEMA (explicit only); READ VOLUME, plus WRITE VOLUME to write.
 * The scope is the volume's own location, never wider.
 */
export function decideVolumeAccess(state: CatalogState, input: { principal: string; volumeId: string; access: Access }): Decision {
  const volume = state.volumes.get(input.volumeId)?.value;
  if (!volume) return deny('NOT_FOUND', `Volume '${input.volumeId}' does not exist.`, { resourceType: 'volume' });
  const disabled = externalAccessDisabled(state);
  if (disabled) return disabled;
  const needed = input.access === 'write' ? [PRIVILEGES.readVolume, PRIVILEGES.writeVolume] : [PRIVILEGES.readVolume];
  const missing = missingPrivileges(state, input.principal, { type: 'volume', name: volume.full_name, owner: volume.owner }, volume.catalog_name, volume.schema_name, needed);
  if (missing.length > 0) return denyMissing(input.principal, missing);
  return scopeFor(state, [volume.storage_location], input.access, `volume '${volume.full_name}'`, [{ type: 'volume', name: volume.full_name }]);
}

/**
 * Unity Catalog table credentials: as volumes, with SELECT to read and SELECT + MODIFY to write.
 * The scope is the table's location (and its auxiliary locations).
 */
export function decideTableAccess(state: CatalogState, input: { principal: string; access: Access } & ({ tableId: string } | { fullName: string })): Decision {
  const id = 'tableId' in input ? input.tableId : state.tableIdsByName.get(input.fullName);
  const table = id === undefined ? undefined : state.tables.get(id)?.value;
  if (!table) return deny('NOT_FOUND', `Table '${'tableId' in input ? input.tableId : input.fullName}' does not exist.`, { resourceType: 'table' });
  const disabled = externalAccessDisabled(state);
  if (disabled) return disabled;
  const needed = input.access === 'write' ? [PRIVILEGES.select, PRIVILEGES.modify] : [PRIVILEGES.select];
  const missing = missingPrivileges(state, input.principal, { type: 'table', name: table.full_name, owner: table.owner }, table.catalog_name, table.schema_name, needed);
  if (missing.length > 0) return denyMissing(input.principal, missing);
  return scopeFor(state, [table.storage_location, ...(table.auxiliary_locations ?? [])], input.access, `table '${table.full_name}'`, [{ type: 'table', name: table.full_name }]);
}

export const PATH_OPERATIONS = ['read', 'read-write', 'create-table'] as const;
export type PathOperation = (typeof PATH_OPERATIONS)[number];

/**
 * Unity Catalog path credentials, for paths under an external location: EXTERNAL USE LOCATION
 * (explicit only) and READ FILES; READ FILES + WRITE FILES to write; CREATE EXTERNAL TABLE to
 * create a table. A path inside (or containing) a table's or volume's location is refused: it must
 * not borrow the location's grants for an object that has its own.
 */
export function decidePathAccess(state: CatalogState, input: { principal: string; url: string; operation: PathOperation }): Decision {
  let target: StorageUrl;
  try {
    target = normaliseLocation(input.url);
  } catch (error) {
    return { allow: false, error: error as LakegateError };
  }
  const disabled = externalAccessDisabled(state);
  if (disabled) return disabled;
  const overlapping = objectsOverlapping(state, target);
  if (overlapping) return deny('INVALID_ARGUMENT', `Path '${target.url}' overlaps ${overlapping}; ask for that object's credentials instead.`);
  let location: { name: string; owner: string } | undefined;
  let best = -1;
  for (const { value } of state.locations.values()) {
    let parent: StorageUrl;
    try {
      parent = normaliseLocation(value.url);
    } catch {
      continue;
    }
    if (locationCovers(parent, target) && parent.segments.length > best) {
      best = parent.segments.length;
      location = { name: value.name, owner: value.owner };
    }
  }
  if (!location) return deny('NOT_FOUND', `No external location covers '${target.url}'.`, { resourceType: 'external_location' });
  const identities = principalsOf(state, input.principal);
  const chain: ChainEntry[] = [{ type: 'external_location', name: location.name, owner: location.owner }];
  const needed: Privilege[] = [PRIVILEGES.externalUseLocation, PRIVILEGES.readFiles];
  if (input.operation === 'read-write') needed.push(PRIVILEGES.writeFiles);
  if (input.operation === 'create-table') needed.push(PRIVILEGES.createExternalTable);
  const missing = needed.filter((p) => !has(state, identities, p, chain)).map((p) => `${p} on external location '${location.name}'`);
  if (missing.length > 0) return denyMissing(input.principal, missing);
  const access: Access = input.operation === 'read' ? 'read' : 'write';
  return scopeFor(state, [target.url], access, `path '${target.url}'`, [{ type: 'external_location', name: location.name }]);
}

function objectsOverlapping(state: CatalogState, target: StorageUrl): string | undefined {
  const overlaps = (location: string) => {
    try {
      const u = normaliseLocation(location);
      return locationCovers(u, target) || locationCovers(target, u);
    } catch {
      return false;
    }
  };
  for (const { value } of state.tables.values()) if (overlaps(value.storage_location)) return `table '${value.full_name}'`;
  for (const { value } of state.volumes.values()) if (overlaps(value.storage_location)) return `volume '${value.full_name}'`;
  return undefined;
}
