import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import {
  CATALOG_KEYS,
  ExternalLocation,
  GrantList,
  MetastoreSettings,
  Principal,
  StorageCredential,
  codec,
  type TableInfo,
  type TokenRecord,
  type VolumeInfo,
} from '@lakegate/contracts';
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
          owner: Type.String(),
          comment: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
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

/** Writes every object of the seed (idempotent: the same seed twice changes nothing but revisions). */
export async function applySeed(writer: CatalogWriter, seed: CatalogSeed, now: number): Promise<{ written: number }> {
  let written = 0;
  const put = async (key: string, value: unknown) => {
    await writer.upsert(key, value);
    written++;
  };
  await put(CATALOG_KEYS.metastore, { ...seed.metastore, metastore_id: stableId('metastore', seed.metastore.name) });
  for (const p of seed.principals) await put(CATALOG_KEYS.principal(p.name), p);
  for (const c of seed.storage_credentials) await put(CATALOG_KEYS.storageCredential(c.name), c);
  for (const l of seed.external_locations) await put(CATALOG_KEYS.externalLocation(l.name), l);
  for (const c of seed.catalogs) await put(CATALOG_KEYS.catalog(c.name), { ...c, created_at: now });
  for (const s of seed.schemas) {
    const full_name = `${s.catalog_name}.${s.name}`;
    await put(CATALOG_KEYS.schema(full_name), { ...s, full_name, created_at: now });
  }
  for (const v of seed.volumes) {
    const full_name = `${v.catalog_name}.${v.schema_name}.${v.name}`;
    const volume: VolumeInfo = { ...v, full_name, volume_id: stableId('volume', full_name), created_at: now, created_by: v.owner };
    await put(CATALOG_KEYS.volume(volume.volume_id), volume);
  }
  for (const t of seed.tables) {
    const full_name = `${t.catalog_name}.${t.schema_name}.${t.name}`;
    const table: TableInfo = { ...t, full_name, table_id: stableId('table', full_name), created_at: now, created_by: t.owner };
    await put(CATALOG_KEYS.table(table.table_id), table);
  }
  for (const g of seed.grants) await put(CATALOG_KEYS.grants(g.securable_type, g.securable_name), g);
  return { written };
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
