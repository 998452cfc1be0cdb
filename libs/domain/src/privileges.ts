import type { SecurableType } from '@lakegate/contracts';
import { grantKey, type CatalogState } from './catalog-state.js';

/**
 * Canonical privilege names (Unity Catalog OSS spelling), plus Databricks' BROWSE (see an object's
 * metadata: Lake Formation's DESCRIBE on a table) and Lake Formation's ALTER and DROP, which Unity
 * Catalog leaves to owners. None of those three vends anything.
 */
export const PRIVILEGES = {
  useCatalog: 'USE CATALOG',
  useSchema: 'USE SCHEMA',
  select: 'SELECT',
  modify: 'MODIFY',
  readVolume: 'READ VOLUME',
  writeVolume: 'WRITE VOLUME',
  externalUseSchema: 'EXTERNAL USE SCHEMA',
  externalUseLocation: 'EXTERNAL USE LOCATION',
  readFiles: 'READ FILES',
  writeFiles: 'WRITE FILES',
  createExternalTable: 'CREATE EXTERNAL TABLE',
  allPrivileges: 'ALL PRIVILEGES',
  browse: 'BROWSE',
  alter: 'ALTER',
  drop: 'DROP',
} as const;
export type Privilege = (typeof PRIVILEGES)[keyof typeof PRIVILEGES];

const KNOWN = new Set<string>(Object.values(PRIVILEGES));

/** Accepts both spellings: Unity Catalog OSS's (`READ VOLUME`) and Databricks' (`READ_VOLUME`). */
export function canonicalPrivilege(name: string): Privilege | undefined {
  const canonical = name.trim().toUpperCase().replace(/_/g, ' ').replace(/\s+/g, ' ');
  return KNOWN.has(canonical) ? (canonical as Privilege) : undefined;
}

/** Privileges that ALL PRIVILEGES does not include (granted only explicitly). */
const NOT_IN_ALL_PRIVILEGES = new Set<Privilege>([PRIVILEGES.externalUseSchema, PRIVILEGES.externalUseLocation]);

/** The principal itself and every group it belongs to, directly or through nested groups. */
export function principalsOf(state: CatalogState, principal: string): Set<string> {
  const out = new Set<string>();
  const stack = [principal];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (out.has(name)) continue;
    out.add(name);
    for (const group of state.principals.get(name)?.value.member_of ?? []) stack.push(group);
  }
  out.add('account users');
  return out;
}

export interface SecurableRef {
  type: SecurableType;
  name: string;
}

/** True when the principal (or one of its groups) holds `privilege` on any of the securables. */
export function holdsPrivilege(
  state: CatalogState,
  identities: Set<string>,
  privilege: Privilege,
  securables: readonly SecurableRef[],
  options: { allPrivilegesCovers?: boolean } = {},
): boolean {
  const allCovers = options.allPrivilegesCovers ?? !NOT_IN_ALL_PRIVILEGES.has(privilege);
  for (const securable of securables) {
    const grants = state.grants.get(grantKey(securable.type, securable.name));
    if (!grants) continue;
    for (const assignment of grants.value.privilege_assignments) {
      if (!identities.has(assignment.principal)) continue;
      for (const granted of assignment.privileges) {
        const p = canonicalPrivilege(granted);
        if (p === privilege) return true;
        if (p === PRIVILEGES.allPrivileges && allCovers) return true;
      }
    }
  }
  return false;
}
