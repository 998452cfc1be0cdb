import { LakegateError, type ShareInfo, type TableInfo } from '@lakegate/contracts';
import type { CatalogState } from './catalog-state.js';
import { holdsPrivilege, principalsOf, PRIVILEGES } from './privileges.js';
import { resolveStorage } from './storage-resolution.js';
import { locationCovers, normaliseLocation, type StorageUrl } from './storage-url.js';
import type { Decision } from './uc-access.policy.js';

const fail = (code: 'NOT_FOUND' | 'PERMISSION_DENIED' | 'INVALID_ARGUMENT', message: string): Decision => ({ allow: false, error: new LakegateError(code, message) });

/** The shares a recipient holds SELECT on (by grant to it or one of its groups). */
export function sharesVisibleTo(state: CatalogState, principal: string): ShareInfo[] {
  const identities = principalsOf(state, principal);
  return [...state.shares.values()]
    .map((s) => s.value)
    .filter((share) => share.owner === principal || holdsPrivilege(state, identities, PRIVILEGES.select, [{ type: 'share', name: share.name }]))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The share a recipient may see, by case-insensitive name; NOT_FOUND both when missing and when not granted. */
export function visibleShare(state: CatalogState, principal: string, name: string): ShareInfo | LakegateError {
  const share = state.shares.get(name.toLowerCase())?.value;
  const visible = share && sharesVisibleTo(state, principal).some((s) => s.name === share.name);
  return visible ? share : new LakegateError('NOT_FOUND', `Share '${name}' does not exist or is not shared with you.`);
}

/** A shared table by its share-level schema and table names (case-insensitive), with its catalog table. */
export function sharedTable(state: CatalogState, share: ShareInfo, schema: string, table: string): { object: ShareInfo['objects'][number]; table: TableInfo } | LakegateError {
  const wanted = `${schema}.${table}`.toLowerCase();
  const object = share.objects.find((o) => o.shared_as.toLowerCase() === wanted);
  const id = object ? state.tableIdsByName.get(object.name) : undefined;
  const info = id ? state.tables.get(id)?.value : undefined;
  if (!object || !info) return new LakegateError('NOT_FOUND', `Table '${schema}.${table}' does not exist in share '${share.name}'.`);
  return { object, table: info };
}

/**
 * Delta Sharing temporary table credentials: the recipient holds SELECT on the share; the table is
 * shared for directory access; an optional location must be the table root, a path under it, or an
 * auxiliary location (or under one). Read-only, scoped to that one location.
 */
export function decideSharedTableAccess(state: CatalogState, input: { principal: string; share: string; schema: string; table: string; location?: string | undefined }): Decision {
  const share = visibleShare(state, input.principal, input.share);
  if (share instanceof LakegateError) return { allow: false, error: share };
  const found = sharedTable(state, share, input.schema, input.table);
  if (found instanceof LakegateError) return { allow: false, error: found };
  if (!found.object.access_modes.includes('dir')) {
    return fail('PERMISSION_DENIED', `Table '${found.object.shared_as}' is not shared for directory access; use the query API for pre-signed URLs.`);
  }
  let roots: StorageUrl[];
  try {
    roots = [found.table.storage_location, ...(found.table.auxiliary_locations ?? [])].map((u) => normaliseLocation(u));
  } catch (error) {
    return { allow: false, error: new LakegateError('FAILED_PRECONDITION', `Shared table '${found.object.shared_as}' has an invalid location.`, { cause: error }) };
  }
  let target = roots[0]!;
  if (input.location !== undefined) {
    try {
      target = normaliseLocation(input.location);
    } catch (error) {
      return { allow: false, error: error as LakegateError };
    }
    if (!roots.some((root) => locationCovers(root, target))) {
      return fail('INVALID_ARGUMENT', `Location '${target.url}' is neither the table's location, a path under it, nor one of its auxiliary locations.`);
    }
  }
  const resolved = resolveStorage(state, [target], `shared table '${found.object.shared_as}'`);
  if (resolved instanceof LakegateError) return { allow: false, error: resolved };
  return {
    allow: true,
    scope: { cloud: resolved.cloud, locations: [{ url: target.url, access: 'read' }], storageCredential: resolved.credential },
    resources: [{ type: 'share', name: share.name }, { type: 'table', name: found.table.full_name }],
  };
}
