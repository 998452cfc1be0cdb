import { LakegateError, type Access, type Cloud, type StorageCredentialRef, type StorageLocation } from '@lakegate/contracts';
import type { CatalogState } from './catalog-state.js';
import { chainKeys, grantedPrivileges, holdsPrivilege, identitiesOf, objectGrantKey, privilegeBit, PRIVILEGES, type Privilege, type SecurableRef } from './privileges.js';
import { objectOverlapping } from './location-index.js';
import { resolveStorage } from './storage-resolution.js';
import { locationCovers, normalisedLocation, normaliseLocation, type StorageUrl } from './storage-url.js';

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
export function has(state: CatalogState, identities: ReadonlySet<string>, privilege: Privilege, chain: readonly ChainEntry[]): boolean {
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

const ALL_PRIVILEGES_BIT = privilegeBit(PRIVILEGES.allPrivileges);

/**
 * What a chain (object → schema → catalog, or a shorter tail of it) confers, computed once per level:
 * whether the principal owns some level, and the mask of privileges granted to it on some level.
 */
interface ChainFacts {
  owns: boolean;
  granted: number;
}

/** `has` over ChainFacts: the same rule, without looking the grants up again for every privilege. */
function holds(privilege: Privilege, chain: ChainFacts): boolean {
  if (EXPLICIT_ONLY.has(privilege)) return (chain.granted & privilegeBit(privilege)) !== 0;
  return chain.owns || (chain.granted & (privilegeBit(privilege) | ALL_PRIVILEGES_BIT)) !== 0;
}

const NONE: readonly string[] = Object.freeze([]);

/**
 * The privileges the principal lacks for `object` in `catalog.schema`: USE CATALOG (catalog chain),
 * USE SCHEMA and EXTERNAL USE SCHEMA (schema → catalog), then `needed` (object → schema → catalog),
 * exactly as `has` decides each of them on those chains. One grant lookup per level.
 */
function missingPrivileges(
  state: CatalogState,
  principal: string,
  object: ChainEntry & { type: 'table' | 'volume' },
  catalog: string,
  schema: string,
  needed: readonly Privilege[],
): readonly string[] {
  const identities = identitiesOf(state, principal);
  const keys = chainKeys(catalog, schema);
  const catalogOwner = state.catalogs.get(catalog)?.value.owner;
  const schemaOwner = state.schemas.get(keys.schemaFull)?.value.owner;
  const onCatalog: ChainFacts = {
    owns: catalogOwner !== undefined && identities.has(catalogOwner),
    granted: grantedPrivileges(state, identities, keys.catalogKey),
  };
  const onSchema: ChainFacts = {
    owns: onCatalog.owns || (schemaOwner !== undefined && identities.has(schemaOwner)),
    granted: onCatalog.granted | grantedPrivileges(state, identities, keys.schemaKey),
  };
  const onObject: ChainFacts = {
    owns: onSchema.owns || (object.owner !== undefined && identities.has(object.owner)),
    granted: onSchema.granted | grantedPrivileges(state, identities, objectGrantKey(object.type, object.name)),
  };
  let missing: string[] | undefined;
  if (!holds(PRIVILEGES.useCatalog, onCatalog)) (missing ??= []).push(`USE CATALOG on catalog '${catalog}'`);
  if (!holds(PRIVILEGES.useSchema, onSchema)) (missing ??= []).push(`USE SCHEMA on schema '${catalog}.${schema}'`);
  if (!holds(PRIVILEGES.externalUseSchema, onSchema)) (missing ??= []).push(`EXTERNAL USE SCHEMA on schema '${catalog}.${schema}'`);
  for (const p of needed) if (!holds(p, onObject)) (missing ??= []).push(`${p} on ${object.type} '${object.name}'`);
  return missing ?? NONE;
}

const VOLUME_READ: readonly Privilege[] = [PRIVILEGES.readVolume];
const VOLUME_WRITE: readonly Privilege[] = [PRIVILEGES.readVolume, PRIVILEGES.writeVolume];
const TABLE_READ: readonly Privilege[] = [PRIVILEGES.select];
const TABLE_WRITE: readonly Privilege[] = [PRIVILEGES.select, PRIVILEGES.modify];

function denyMissing(principal: string, missing: readonly string[]): Decision {
  return deny('PERMISSION_DENIED', `User '${principal}' does not have ${missing.join(', ')}.`, { missingPrivileges: missing });
}

/**
 * `normalise` is normalisedLocation (remembered) for the locations stored on tables and volumes,
 * which the same objects are asked for again and again; normaliseLocation for a caller's path.
 */
function scopeFor(
  state: CatalogState,
  urls: readonly string[],
  access: Access,
  what: string,
  resources: { type: string; name: string }[],
  normalise: (url: string) => StorageUrl = normalisedLocation,
): Decision {
  let targets: StorageUrl[];
  try {
    targets = urls.map((u) => normalise(u));
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
  const needed = input.access === 'write' ? VOLUME_WRITE : VOLUME_READ;
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
  const needed = input.access === 'write' ? TABLE_WRITE : TABLE_READ;
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
  const overlapping = objectOverlapping(state.locationIndex, target);
  if (overlapping) return deny('INVALID_ARGUMENT', `Path '${target.url}' overlaps ${overlapping}; ask for that object's credentials instead.`);
  let location: { name: string; owner: string } | undefined;
  let best = -1;
  for (const { value } of state.locations.values()) {
    let parent: StorageUrl;
    try {
      parent = normalisedLocation(value.url);
    } catch {
      continue;
    }
    if (locationCovers(parent, target) && parent.segments.length > best) {
      best = parent.segments.length;
      location = { name: value.name, owner: value.owner };
    }
  }
  if (!location) return deny('NOT_FOUND', `No external location covers '${target.url}'.`, { resourceType: 'external_location' });
  const identities = identitiesOf(state, input.principal);
  const chain: ChainEntry[] = [{ type: 'external_location', name: location.name, owner: location.owner }];
  const needed: Privilege[] = [PRIVILEGES.externalUseLocation, PRIVILEGES.readFiles];
  if (input.operation === 'read-write') needed.push(PRIVILEGES.writeFiles);
  if (input.operation === 'create-table') needed.push(PRIVILEGES.createExternalTable);
  const missing = needed.filter((p) => !has(state, identities, p, chain)).map((p) => `${p} on external location '${location.name}'`);
  if (missing.length > 0) return denyMissing(input.principal, missing);
  const access: Access = input.operation === 'read' ? 'read' : 'write';
  return scopeFor(state, [target.url], access, `path '${target.url}'`, [{ type: 'external_location', name: location.name }], normaliseLocation);
}


