import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import {
  CATALOG_KEYS,
  DataCellsFilterInfo,
  ExternalLocation,
  GrantList,
  MetastoreSettings,
  Principal,
  StorageCredential,
  canonicalJson,
  codec,
  LakegateError,
  type TokenRecord,
} from '@lakegate/contracts';
import { grantKey, partitionValuesKey, type CatalogState } from '@lakegate/domain';
import type { CatalogWriter } from './catalog-kv.js';

/** A declarative catalog: what `npm start` loads as the demo, and what `lakegate apply` will take. */
export const CatalogSeed = Type.Object(
  {
    metastore: Type.Omit(MetastoreSettings, ['metastore_id'], { additionalProperties: false }),
    principals: Type.Array(Principal, { default: [] }),
    storage_credentials: Type.Array(StorageCredential, { default: [] }),
    external_locations: Type.Array(ExternalLocation, { default: [] }),
    catalogs: Type.Array(Type.Object({ name: Type.String(), owner: Type.String(), comment: Type.Optional(Type.String()) }, { additionalProperties: false }), { default: [] }),
    schemas: Type.Array(Type.Object({ catalog_name: Type.String(), name: Type.String(), owner: Type.String(), comment: Type.Optional(Type.String()) }, { additionalProperties: false }), { default: [] }),
    volumes: Type.Array(
      Type.Object(
        {
          catalog_name: Type.String(),
          schema_name: Type.String(),
          name: Type.String(),
          volume_type: Type.Union([Type.Literal('EXTERNAL'), Type.Literal('MANAGED')]),
          storage_location: Type.String(),
          owner: Type.String(),
          comment: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    tables: Type.Array(
      Type.Object(
        {
          catalog_name: Type.String(),
          schema_name: Type.String(),
          name: Type.String(),
          table_type: Type.Union([Type.Literal('EXTERNAL'), Type.Literal('MANAGED')]),
          data_source_format: Type.String({ default: 'DELTA' }),
          storage_location: Type.String(),
          auxiliary_locations: Type.Optional(Type.Array(Type.String())),
          columns: Type.Optional(Type.Array(Type.Object({ name: Type.String(), type_name: Type.String(), partition_index: Type.Optional(Type.Integer()) }))),
          properties: Type.Optional(Type.Record(Type.String(), Type.String())),
          owner: Type.String(),
          comment: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    /** Partitions of tables (`table` is the table's full name), each with its own location. */
    partitions: Type.Array(
      Type.Object(
        { table: Type.String(), values: Type.Array(Type.String(), { minItems: 1 }), storage_location: Type.String(), parameters: Type.Optional(Type.Record(Type.String(), Type.String())) },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    data_cells_filters: Type.Array(Type.Omit(DataCellsFilterInfo, ['created_at'], { additionalProperties: false }), { default: [] }),
    grants: Type.Array(GrantList, { default: [] }),
  },
  { $id: 'CatalogSeed', additionalProperties: false },
);
export type CatalogSeed = Static<typeof CatalogSeed>;
export const catalogSeedCodec = codec(CatalogSeed);

/** A stable id derived from a name, so applying the same seed twice gives the same ids. */
export const stableId = (namespace: string, name: string): string => {
  const h = createHash('sha256').update(`${namespace}\0${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

export interface PlanEntry {
  key: string;
  kind: string;
  name: string;
  action: 'create' | 'update' | 'unchanged';
  value: Record<string, unknown>;
  /** KV revision of the current value, for the optimistic write. */
  revision?: number;
}

const IGNORED = new Set(['created_at', 'created_by', 'updated_at', 'updated_by', 'metastore_id']);
const comparable = (v: Record<string, unknown>) => canonicalJson(Object.fromEntries(Object.entries(v).filter(([k]) => !IGNORED.has(k))));

/**
 * What applying a catalog file would change, object by object, against the current state. Creation
 * times of existing objects are kept; nothing is deleted (objects missing from the file stay).
 */
export function planSeed(state: CatalogState, seed: CatalogSeed, now: number): PlanEntry[] {
  const plan: PlanEntry[] = [];
  const add = (key: string, kind: string, name: string, desired: Record<string, unknown>, current: { value: object; revision: number } | undefined) => {
    if (!current) {
      plan.push({ key, kind, name, action: 'create', value: desired });
      return;
    }
    const existing = current.value as Record<string, unknown>;
    const value = { ...desired, ...Object.fromEntries(Object.entries(existing).filter(([k]) => k === 'created_at' || k === 'created_by')) };
    plan.push({ key, kind, name, action: comparable(existing) === comparable(desired) ? 'unchanged' : 'update', value, revision: current.revision });
  };
  add(CATALOG_KEYS.metastore, 'metastore', seed.metastore.name, { ...seed.metastore, metastore_id: stableId('metastore', seed.metastore.name) }, state.metastore);
  for (const p of seed.principals) add(CATALOG_KEYS.principal(p.name), 'principal', p.name, { ...p }, state.principals.get(p.name));
  for (const c of seed.storage_credentials) add(CATALOG_KEYS.storageCredential(c.name), 'storage_credential', c.name, { ...c }, state.credentials.get(c.name));
  for (const l of seed.external_locations) add(CATALOG_KEYS.externalLocation(l.name), 'external_location', l.name, { ...l }, state.locations.get(l.name));
  for (const c of seed.catalogs) add(CATALOG_KEYS.catalog(c.name), 'catalog', c.name, { ...c, created_at: now }, state.catalogs.get(c.name));
  for (const sc of seed.schemas) {
    const full_name = `${sc.catalog_name}.${sc.name}`;
    add(CATALOG_KEYS.schema(full_name), 'schema', full_name, { ...sc, full_name, created_at: now }, state.schemas.get(full_name));
  }
  for (const v of seed.volumes) {
    const full_name = `${v.catalog_name}.${v.schema_name}.${v.name}`;
    const volume_id = stableId('volume', full_name);
    add(CATALOG_KEYS.volume(volume_id), 'volume', full_name, { ...v, full_name, volume_id, created_at: now, created_by: v.owner }, state.volumes.get(volume_id));
  }
  for (const t of seed.tables) {
    const full_name = `${t.catalog_name}.${t.schema_name}.${t.name}`;
    const table_id = stableId('table', full_name);
    add(CATALOG_KEYS.table(table_id), 'table', full_name, { ...t, full_name, table_id, created_at: now, created_by: t.owner }, state.tables.get(table_id));
  }
  for (const p of seed.partitions) {
    const table_id = stableId('table', p.table);
    const { table, ...rest } = p;
    const current = state.partitions.get(table_id)?.get(partitionValuesKey(p.values));
    add(CATALOG_KEYS.partition(table_id, p.values), 'partition', `${table} ${JSON.stringify(p.values)}`, { ...rest, table_id, table_full_name: table, created_at: now }, current);
  }
  for (const f of seed.data_cells_filters) {
    add(CATALOG_KEYS.cellsFilter(f.table_full_name, f.name), 'data_cells_filter', `${f.table_full_name}/${f.name}`, { ...f, created_at: now }, state.cellsFilters.get(f.table_full_name)?.get(f.name));
  }
  for (const g of seed.grants) add(CATALOG_KEYS.grants(g.securable_type, g.securable_name), 'grants', `${g.securable_type} ${g.securable_name}`, { ...g }, state.grants.get(grantKey(g.securable_type, g.securable_name)));
  return plan;
}

/** Writes the plan's creates and updates, each checked against the revision it was planned from. */
export async function applyPlan(writer: CatalogWriter, plan: readonly PlanEntry[]): Promise<{ written: number; lastRevision: number }> {
  let written = 0;
  let lastRevision = 0;
  for (const entry of plan) {
    if (entry.action === 'unchanged') continue;
    lastRevision = await writer.put(entry.key, entry.value, entry.action === 'create' ? undefined : entry.revision);
    written++;
  }
  return { written, lastRevision };
}

/** The catalog as a file `lakegate apply` takes back (no secrets: tokens and keys are not exported). */
export function exportSeed(state: CatalogState): CatalogSeed {
  const strip = <T extends Record<string, unknown>>(v: T, ...keys: string[]) => Object.fromEntries(Object.entries(v).filter(([k]) => !keys.includes(k) && !IGNORED.has(k))) as never;
  const m = state.metastore?.value;
  if (!m) throw new LakegateError('NOT_FOUND', 'No metastore is configured.');
  const values = <T>(map: Map<string, { value: T }>) => [...map.values()].map((v) => v.value);
  return {
    metastore: strip(m),
    principals: values(state.principals),
    storage_credentials: values(state.credentials),
    external_locations: values(state.locations),
    catalogs: values(state.catalogs).map((c) => strip(c)),
    schemas: values(state.schemas).map((sc) => strip(sc, 'full_name')),
    volumes: values(state.volumes).map((v) => strip(v, 'full_name', 'volume_id')),
    tables: values(state.tables).map((t) => strip(t, 'full_name', 'table_id')),
    partitions: [...state.partitions.values()].flatMap((m) => values(m)).map((p) => ({ ...(strip(p, 'table_id', 'table_full_name') as Record<string, unknown>), table: p.table_full_name }) as never),
    data_cells_filters: [...state.cellsFilters.values()].flatMap((m) => values(m)).map((f) => strip(f)),
    grants: values(state.grants),
  };
}

/** Registers a bearer token by its SHA-256; the token itself is never written. */
export async function registerToken(writer: CatalogWriter, input: { principal: string; tokenId: string; token: string; now: number; expiresAt?: number }): Promise<void> {
  const token_sha256 = createHash('sha256').update(input.token).digest('hex');
  const record: TokenRecord = {
    token_id: input.tokenId,
    principal: input.principal,
    token_sha256,
    created_at: input.now,
    ...(input.expiresAt ? { expires_at: input.expiresAt } : {}),
  };
  await writer.upsert(CATALOG_KEYS.token(token_sha256), record);
}
