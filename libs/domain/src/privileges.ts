import type { Principal, SecurableType } from '@lakegate/contracts';
import { grantKey, type CatalogState, type Versioned } from './catalog-state.js';

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
  createExternalVolume: 'CREATE EXTERNAL VOLUME',
  allPrivileges: 'ALL PRIVILEGES',
  browse: 'BROWSE',
  alter: 'ALTER',
  drop: 'DROP',
} as const;
export type Privilege = (typeof PRIVILEGES)[keyof typeof PRIVILEGES];

const KNOWN = new Set<string>(Object.values(PRIVILEGES));

/**
 * canonicalPrivilege is a pure function of its argument and is called for every privilege string a
 * decision looks at, so its answers are remembered (`null`: not a privilege). Grant lists use a
 * handful of spellings; the bound only guards against a catalog full of distinct junk.
 */
const CANONICAL_MEMO = new Map<string, Privilege | null>();
const CANONICAL_MEMO_MAX = 1024;

/** Accepts both spellings: Unity Catalog OSS's (`READ VOLUME`) and Databricks' (`READ_VOLUME`). */
export function canonicalPrivilege(name: string): Privilege | undefined {
  const known = CANONICAL_MEMO.get(name);
  if (known !== undefined) return known ?? undefined;
  const canonical = name.trim().toUpperCase().replace(/_/g, ' ').replace(/\s+/g, ' ');
  const result = KNOWN.has(canonical) ? (canonical as Privilege) : undefined;
  if (CANONICAL_MEMO.size >= CANONICAL_MEMO_MAX) CANONICAL_MEMO.clear();
  CANONICAL_MEMO.set(name, result ?? null);
  return result;
}

/** One bit per canonical privilege (ALL PRIVILEGES included), for {@link grantedPrivileges} masks. */
const BITS = new Map<Privilege, number>(Object.values(PRIVILEGES).map((p, i) => [p, 1 << i]));
export const privilegeBit = (privilege: Privilege): number => BITS.get(privilege) ?? 0;

/** Privileges that ALL PRIVILEGES does not include (granted only explicitly). */
const NOT_IN_ALL_PRIVILEGES = new Set<Privilege>([PRIVILEGES.externalUseSchema, PRIVILEGES.externalUseLocation]);

type PrincipalEntry = Versioned<Principal> | undefined;

/** A group closure and what it was computed from: every name visited, with the entry it had then. */
interface Closure {
  readonly identities: Set<string>;
  readonly visited: readonly { readonly name: string; readonly entry: PrincipalEntry }[];
}

function expandPrincipal(principals: CatalogState['principals'], principal: string): Closure {
  const identities = new Set<string>();
  const visited: { name: string; entry: PrincipalEntry }[] = [];
  const stack = [principal];
  for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
    if (identities.has(name)) continue;
    identities.add(name);
    const entry = principals.get(name);
    visited.push({ name, entry });
    for (const group of entry?.value.member_of ?? []) stack.push(group);
  }
  identities.add('account users');
  return { identities, visited };
}

/** The principal itself and every group it belongs to, directly or through nested groups. */
export function principalsOf(state: CatalogState, principal: string): Set<string> {
  return expandPrincipal(state.principals, principal).identities;
}

/**
 * Group closures computed for decisions, per principals map (the state's own Map instance, so a
 * new state never sees another's). A closure depends only on the entries of the names it visited;
 * applyCatalogEntry replaces an entry with a new object on every put (and removes it on a delete),
 * so a closure is reused only while every one of those names still maps to the very same entry.
 */
const CLOSURES = new WeakMap<CatalogState['principals'], Map<string, Closure>>();
const CLOSURES_MAX = 4096;

/**
 * principalsOf for the decision path: the same set, reused while the principal entries it was
 * built from are unchanged. Shared between calls: read it, never change it.
 */
export function identitiesOf(state: CatalogState, principal: string): ReadonlySet<string> {
  const principals = state.principals;
  let byPrincipal = CLOSURES.get(principals);
  const cached = byPrincipal?.get(principal);
  if (cached && closureCurrent(principals, cached)) return cached.identities;
  const closure = expandPrincipal(principals, principal);
  if (!byPrincipal) CLOSURES.set(principals, (byPrincipal = new Map()));
  else if (byPrincipal.size >= CLOSURES_MAX) byPrincipal.clear();
  byPrincipal.set(principal, closure);
  return closure.identities;
}

function closureCurrent(principals: CatalogState['principals'], closure: Closure): boolean {
  for (const { name, entry } of closure.visited) if (principals.get(name) !== entry) return false;
  return true;
}

/**
 * Grant keys (`catalog:c`, `schema:c.s`, `volume:c.s.v`) for the decision path, remembered. A key
 * built afresh for every lookup must be flattened and hashed each time, which costs several times
 * the lookup itself; a remembered one keeps its hash. Pure functions of the names, so never stale.
 */
export interface ChainKeys {
  readonly catalogKey: string;
  readonly schemaFull: string;
  readonly schemaKey: string;
}
const CHAIN_KEYS = new Map<string, Map<string, ChainKeys>>();
let chainKeysCount = 0;
const CHAIN_KEYS_MAX = 4096;

/** The catalog's grant key, the schema's full name and grant key, for `catalog`.`schema`. */
export function chainKeys(catalog: string, schema: string): ChainKeys {
  let schemas = CHAIN_KEYS.get(catalog);
  const known = schemas?.get(schema);
  if (known !== undefined) return known;
  if (chainKeysCount >= CHAIN_KEYS_MAX) {
    CHAIN_KEYS.clear();
    chainKeysCount = 0;
    schemas = undefined;
  }
  const schemaFull = `${catalog}.${schema}`;
  const keys: ChainKeys = { catalogKey: grantKey('catalog', catalog), schemaFull, schemaKey: grantKey('schema', schemaFull) };
  if (!schemas) CHAIN_KEYS.set(catalog, (schemas = new Map()));
  schemas.set(schema, keys);
  chainKeysCount++;
  return keys;
}

/** Per type, two generations of at most OBJECT_KEYS_MAX keys (as normalisedLocation): objects in use keep theirs. */
const OBJECT_KEYS_MAX = 4096;
const OBJECT_KEYS = {
  table: { now: new Map<string, string>(), before: new Map<string, string>() },
  volume: { now: new Map<string, string>(), before: new Map<string, string>() },
};

/** grantKey(type, fullName) for tables and volumes, remembered by full name. */
export function objectGrantKey(type: 'table' | 'volume', fullName: string): string {
  const memo = OBJECT_KEYS[type];
  const known = memo.now.get(fullName);
  if (known !== undefined) return known;
  const key = memo.before.get(fullName) ?? grantKey(type, fullName);
  if (memo.now.size >= OBJECT_KEYS_MAX) {
    memo.before = memo.now;
    memo.now = new Map();
  }
  memo.now.set(fullName, key);
  return key;
}

export interface SecurableRef {
  type: SecurableType;
  name: string;
}

/**
 * The privileges granted on one securable (by its {@link grantKey}) to any of `identities`, as a
 * mask of {@link privilegeBit}s. ALL PRIVILEGES is its own bit: what it covers is the caller's rule.
 */
export function grantedPrivileges(state: CatalogState, identities: ReadonlySet<string>, key: string): number {
  const grants = state.grants.get(key);
  if (!grants) return 0;
  let mask = 0;
  for (const assignment of grants.value.privilege_assignments) {
    if (!identities.has(assignment.principal)) continue;
    for (const granted of assignment.privileges) {
      const p = canonicalPrivilege(granted);
      if (p !== undefined) mask |= BITS.get(p) ?? 0;
    }
  }
  return mask;
}

/** True when the principal (or one of its groups) holds `privilege` on any of the securables. */
export function holdsPrivilege(
  state: CatalogState,
  identities: ReadonlySet<string>,
  privilege: Privilege,
  securables: readonly SecurableRef[],
  options: { allPrivilegesCovers?: boolean } = {},
): boolean {
  const allCovers = options.allPrivilegesCovers ?? !NOT_IN_ALL_PRIVILEGES.has(privilege);
  const wanted = privilegeBit(privilege) | (allCovers ? privilegeBit(PRIVILEGES.allPrivileges) : 0);
  for (const securable of securables) {
    if ((grantedPrivileges(state, identities, grantKey(securable.type, securable.name)) & wanted) !== 0) return true;
  }
  return false;
}
