import { expect } from 'vitest';
import { CATALOG_KEYS, type GrantList, type SecurableType } from '@lakegate/contracts';
import { applyCatalogEntry, type CatalogState } from '../src/catalog-state.js';

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
let revision = 0;

/** Applies one KV put to the state, as the view's watch would, at the next revision. */
export const put = (state: CatalogState, key: string, value: unknown) => expect(applyCatalogEntry(state, key, enc(value), ++revision)).toBe(true);

/** Applies one KV delete to the state. */
export const remove = (state: CatalogState, key: string) => expect(applyCatalogEntry(state, key, undefined, ++revision)).toBe(true);

/** Replaces the grants on one securable with one principal's privileges. */
export const grant = (state: CatalogState, type: SecurableType, name: string, principal: string, privileges: string[]) => {
  const g: GrantList = { securable_type: type, securable_name: name, privilege_assignments: [{ principal, privileges }] };
  put(state, CATALOG_KEYS.grants(type, name), g);
};
