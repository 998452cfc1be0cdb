import { Type } from '@sinclair/typebox';
import {
  CATALOG_KEYS,
  cellsFilterSecurableName,
  codec,
  ExternalLocation,
  LakegateError,
  StorageCredential,
  type AdminRequest,
  type SecurableType,
  type CatalogInfo,
  type SchemaInfo,
  type TableInfo,
  type VolumeInfo,
} from '@lakegate/contracts';
import { coveringExternalLocation, grantKey, has, LOCATION_KEYS, normaliseLocation, objectOverlapping, parentChain, principalsOf, PRIVILEGES, type CatalogState, type Privilege } from '@lakegate/domain';
import type { AdminContext } from './catalog-admin.js';
import { stableId } from './catalog-seed.js';

const Name = Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9_][A-Za-z0-9_-]*$' });
const Comment = Type.Optional(Type.String({ maxLength: 65_536 }));
const CreateCatalogBody = codec(Type.Object({ name: Name, comment: Comment, properties: Type.Optional(Type.Record(Type.String(), Type.String())), storage_root: Type.Optional(Type.String()) }));
const CreateSchemaBody = codec(Type.Object({ name: Name, catalog_name: Name, comment: Comment, properties: Type.Optional(Type.Record(Type.String(), Type.String())) }));
const UpdateBody = codec(Type.Object({ new_name: Type.Optional(Name), comment: Comment, owner: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })), properties: Type.Optional(Type.Record(Type.String(), Type.String())) }));
const Column = Type.Object({ name: Type.String({ minLength: 1, maxLength: 255 }), type_name: Type.String({ minLength: 1, maxLength: 131_072 }), partition_index: Type.Optional(Type.Integer({ minimum: 0 })) });
const CreateTableBody = codec(
  Type.Object({
    name: Name,
    catalog_name: Name,
    schema_name: Name,
    table_type: Type.Union([Type.Literal('EXTERNAL'), Type.Literal('MANAGED')]),
    data_source_format: Type.String({ minLength: 1, maxLength: 32 }),
    columns: Type.Optional(Type.Array(Column, { maxItems: 4096 })),
    storage_location: Type.String({ minLength: 1, maxLength: 2048 }),
    comment: Comment,
    properties: Type.Optional(Type.Record(Type.String(), Type.String())),
  }),
);
const CreateVolumeBody = codec(
  Type.Object({
    name: Name,
    catalog_name: Name,
    schema_name: Name,
    volume_type: Type.Union([Type.Literal('EXTERNAL'), Type.Literal('MANAGED')]),
    storage_location: Type.String({ minLength: 1, maxLength: 2048 }),
    comment: Comment,
  }),
);
const CreateCredentialBody = codec(Type.Omit(StorageCredential, ['owner']));
const CreateLocationBody = codec(Type.Composite([Type.Omit(ExternalLocation, ['owner']), Type.Object({ read_only: Type.Optional(Type.Boolean()), skip_validation: Type.Optional(Type.Boolean()) })]));

const param = (req: AdminRequest, name: string): string => {
  const v = req.params[name];
  if (!v) throw new LakegateError('INVALID_ARGUMENT', `Missing parameter '${name}'.`);
  return v;
};

/** Owners of the object or of a parent, and metastore admins, manage it. */
export function mayManage(ctx: AdminContext, principal: string, owners: (string | undefined)[]): boolean {
  if (ctx.admins.has(principal)) return true;
  const identities = principalsOf(ctx.view.state, principal);
  return owners.some((o) => o !== undefined && identities.has(o));
}

const denied = (principal: string, what: string) => new LakegateError('PERMISSION_DENIED', `User '${principal}' may not ${what}.`);
const notFound = (kind: string, name: string) => new LakegateError('NOT_FOUND', `${kind} '${name}' does not exist.`);

/**
 * A location for a new table, volume or partition: normalised, under an external location, and not
 * overlapping another object (nor another table's partitions), so no path borrows another object's
 * grants. `own` names the table whose own location and partitions it may overlap (for its partitions).
 */
export function checkLocation(state: CatalogState, url: string, what: string, own?: { tableId: string }): string {
  const target = normaliseLocation(url);
  if (!coveringExternalLocation(state, target)) throw new LakegateError('INVALID_ARGUMENT', `No external location covers '${target.url}' for ${what}.`);
  const overlapping = objectOverlapping(state.locationIndex, target, own ? ownLocationKeys(state, own.tableId) : undefined);
  if (overlapping) throw new LakegateError('INVALID_ARGUMENT', `'${target.url}' overlaps ${overlapping}.`);
  return target.url;
}

/**
 * Placing an object's files under an external location needs CREATE EXTERNAL TABLE (or VOLUME) on
 * it, or its ownership, as in Unity Catalog: otherwise whoever may create (or alter) an object could
 * point it at any path of any external location and read that path through the object.
 */
export function requireLocationPrivilege(ctx: AdminContext, principal: string, url: string, privilege: Privilege, what: string): void {
  if (ctx.admins.has(principal)) return;
  const state = ctx.view.state;
  const covering = coveringExternalLocation(state, normaliseLocation(url));
  const location = covering ? state.locations.get(covering.name)?.value : undefined;
  if (!location) throw new LakegateError('INVALID_ARGUMENT', `No external location covers '${url}' for ${what}.`);
  const identities = principalsOf(state, principal);
  if (has(state, identities, privilege, [{ type: 'external_location', name: location.name, owner: location.owner }])) return;
  throw new LakegateError('PERMISSION_DENIED', `User '${principal}' needs ${privilege} on external location '${location.name}' to place ${what} at '${url}'.`);
}

/** The location-index keys of a table's own locations: its root, its auxiliary locations and its partitions. */
function ownLocationKeys(state: CatalogState, tableId: string): Set<string> {
  const keys = new Set([LOCATION_KEYS.table(tableId)]);
  (state.tables.get(tableId)?.value.auxiliary_locations ?? []).forEach((_, i) => keys.add(LOCATION_KEYS.auxiliary(tableId, i)));
  for (const key of state.partitions.get(tableId)?.keys() ?? []) keys.add(LOCATION_KEYS.partition(tableId, key));
  return keys;
}

const page = <T>(items: T[], req: AdminRequest) => {
  const max = Math.min(Number(req.params['max_results'] ?? 1000) || 1000, 1000);
  const offset = req.params['page_token'] ? Number(Buffer.from(req.params['page_token'], 'base64url').toString()) : 0;
  if (!Number.isInteger(offset) || offset < 0) throw new LakegateError('INVALID_ARGUMENT', 'page_token is not valid.');
  const slice = items.slice(offset, offset + max);
  return { items: slice, next: offset + max < items.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined };
};

/**
 * A deleted object's grants go with it: an object created later under the same name starts with
 * none (as Unity Catalog drops privileges with the securable).
 */
async function removeGrants(ctx: AdminContext, type: SecurableType, name: string): Promise<void> {
  const grants = ctx.view.state.grants.get(grantKey(type, name));
  if (grants) await ctx.writer.remove(CATALOG_KEYS.grants(type, name), grants.revision);
}

/** A deleted table takes its partitions and data cells filters (and their grants) with it. */
async function removeTableChildren(ctx: AdminContext, tableId: string, fullName: string): Promise<void> {
  const state = ctx.view.state;
  for (const { value, revision } of [...(state.partitions.get(tableId)?.values() ?? [])]) {
    await ctx.writer.remove(CATALOG_KEYS.partition(tableId, value.values), revision);
  }
  for (const { value, revision } of [...(state.cellsFilters.get(fullName)?.values() ?? [])]) {
    // Grants before the filter, as DeleteDataCellsFilter does: no grant outlives its filter.
    const securable = cellsFilterSecurableName(fullName, value.name);
    const grants = state.grants.get(grantKey('data_cells_filter', securable));
    if (grants) await ctx.writer.remove(CATALOG_KEYS.grants('data_cells_filter', securable), grants.revision);
    await ctx.writer.remove(CATALOG_KEYS.cellsFilter(fullName, value.name), revision);
  }
}

/** Unity Catalog's create/list/get/update/delete of catalogs, schemas, tables, volumes, credentials and external locations. */
export async function runObjectAdmin(ctx: AdminContext, principal: string, req: AdminRequest): Promise<unknown> {
  const state = ctx.view.state;
  const now = ctx.clock();
  const isAdmin = ctx.admins.has(principal);
  const write = async (key: string, value: unknown, revision?: number) => ctx.view.waitFor(await ctx.writer.put(key, value, revision));
  const remove = async (key: string, revision: number) => {
    await ctx.writer.remove(key, revision);
  };
  switch (req.operation) {
    case 'CreateCatalog': {
      if (!isAdmin) throw denied(principal, 'create catalogs');
      const b = CreateCatalogBody.check(req.body);
      const info: CatalogInfo = { name: b.name, owner: principal, created_at: now, ...(b.comment ? { comment: b.comment } : {}) };
      await write(CATALOG_KEYS.catalog(b.name), info);
      return info;
    }
    case 'ListCatalogs': {
      const { items, next } = page([...state.catalogs.values()].map((c) => c.value).sort((a, b) => a.name.localeCompare(b.name)), req);
      return { catalogs: items, ...(next ? { next_page_token: next } : {}) };
    }
    case 'GetCatalog': {
      const c = state.catalogs.get(param(req, 'name'));
      if (!c) throw notFound('Catalog', param(req, 'name'));
      return c.value;
    }
    case 'UpdateCatalog': {
      const c = state.catalogs.get(param(req, 'name'));
      if (!c) throw notFound('Catalog', param(req, 'name'));
      if (!mayManage(ctx, principal, [c.value.owner])) throw denied(principal, `change catalog '${c.value.name}'`);
      const b = UpdateBody.check(req.body ?? {});
      if (b.new_name) throw new LakegateError('INVALID_ARGUMENT', 'Renaming a catalog is not supported.');
      const updated = { ...c.value, ...(b.comment !== undefined ? { comment: b.comment } : {}), ...(b.owner ? { owner: b.owner } : {}) };
      await write(CATALOG_KEYS.catalog(c.value.name), updated, c.revision);
      return updated;
    }
    case 'DeleteCatalog': {
      const c = state.catalogs.get(param(req, 'name'));
      if (!c) throw notFound('Catalog', param(req, 'name'));
      if (!mayManage(ctx, principal, [c.value.owner])) throw denied(principal, `delete catalog '${c.value.name}'`);
      if ([...state.schemas.values()].some((s) => s.value.catalog_name === c.value.name)) throw new LakegateError('FAILED_PRECONDITION', `Catalog '${c.value.name}' is not empty.`);
      await remove(CATALOG_KEYS.catalog(c.value.name), c.revision);
      await removeGrants(ctx, 'catalog', c.value.name);
      return {};
    }
    case 'CreateSchema': {
      const b = CreateSchemaBody.check(req.body);
      const catalog = state.catalogs.get(b.catalog_name);
      if (!catalog) throw notFound('Catalog', b.catalog_name);
      if (!mayManage(ctx, principal, [catalog.value.owner])) throw denied(principal, `create schemas in catalog '${b.catalog_name}'`);
      const info: SchemaInfo = { catalog_name: b.catalog_name, name: b.name, full_name: `${b.catalog_name}.${b.name}`, owner: principal, created_at: now, ...(b.comment ? { comment: b.comment } : {}) };
      await write(CATALOG_KEYS.schema(info.full_name), info);
      return info;
    }
    case 'ListSchemas': {
      const catalog = param(req, 'catalog_name');
      const { items, next } = page([...state.schemas.values()].map((s) => s.value).filter((s) => s.catalog_name === catalog).sort((a, b) => a.name.localeCompare(b.name)), req);
      return { schemas: items, ...(next ? { next_page_token: next } : {}) };
    }
    case 'GetSchema': {
      const s = state.schemas.get(param(req, 'full_name'));
      if (!s) throw notFound('Schema', param(req, 'full_name'));
      return s.value;
    }
    case 'UpdateSchema': {
      const s = state.schemas.get(param(req, 'full_name'));
      if (!s) throw notFound('Schema', param(req, 'full_name'));
      if (!mayManage(ctx, principal, [s.value.owner, state.catalogs.get(s.value.catalog_name)?.value.owner])) throw denied(principal, `change schema '${s.value.full_name}'`);
      const b = UpdateBody.check(req.body ?? {});
      if (b.new_name) throw new LakegateError('INVALID_ARGUMENT', 'Renaming a schema is not supported.');
      const updated = { ...s.value, ...(b.comment !== undefined ? { comment: b.comment } : {}), ...(b.owner ? { owner: b.owner } : {}) };
      await write(CATALOG_KEYS.schema(s.value.full_name), updated, s.revision);
      return updated;
    }
    case 'DeleteSchema': {
      const s = state.schemas.get(param(req, 'full_name'));
      if (!s) throw notFound('Schema', param(req, 'full_name'));
      const chain = parentChain(state, s.value.catalog_name, s.value.name);
      if (!mayManage(ctx, principal, chain.map((c) => c.owner)) && !has(state, principalsOf(state, principal), PRIVILEGES.drop, chain)) throw denied(principal, `delete schema '${s.value.full_name}'`);
      const inSchema = (o: { catalog_name: string; schema_name: string }) => `${o.catalog_name}.${o.schema_name}` === s.value.full_name;
      if ([...state.tables.values()].some((t) => inSchema(t.value)) || [...state.volumes.values()].some((v) => inSchema(v.value))) {
        throw new LakegateError('FAILED_PRECONDITION', `Schema '${s.value.full_name}' is not empty.`);
      }
      await remove(CATALOG_KEYS.schema(s.value.full_name), s.revision);
      await removeGrants(ctx, 'schema', s.value.full_name);
      return {};
    }
    case 'CreateTable':
    case 'CreateVolume': {
      const isTable = req.operation === 'CreateTable';
      const b = isTable ? CreateTableBody.check(req.body) : CreateVolumeBody.check(req.body);
      const schemaFull = `${b.catalog_name}.${b.schema_name}`;
      const schema = state.schemas.get(schemaFull);
      if (!schema) throw notFound('Schema', schemaFull);
      if (!mayManage(ctx, principal, [schema.value.owner, state.catalogs.get(b.catalog_name)?.value.owner])) throw denied(principal, `create objects in schema '${schemaFull}'`);
      const full_name = `${schemaFull}.${b.name}`;
      const storage_location = checkLocation(state, b.storage_location, `${isTable ? 'table' : 'volume'} '${full_name}'`);
      requireLocationPrivilege(ctx, principal, storage_location, isTable ? PRIVILEGES.createExternalTable : PRIVILEGES.createExternalVolume, `${isTable ? 'table' : 'volume'} '${full_name}'`);
      if (isTable) {
        const t = b as ReturnType<typeof CreateTableBody.check>;
        const info: TableInfo = {
          table_id: stableId('table', full_name), catalog_name: t.catalog_name, schema_name: t.schema_name, name: t.name, full_name, table_type: t.table_type,
          data_source_format: t.data_source_format, storage_location, owner: principal, created_at: now, created_by: principal,
          ...(t.columns ? { columns: t.columns } : {}), ...(t.comment ? { comment: t.comment } : {}),
          ...(t.properties && Object.keys(t.properties).length > 0 ? { properties: t.properties } : {}),
        };
        if (state.tableIdsByName.has(full_name)) throw new LakegateError('ALREADY_EXISTS', `Table '${full_name}' already exists.`);
        await write(CATALOG_KEYS.table(info.table_id), info);
        return info;
      }
      const v = b as ReturnType<typeof CreateVolumeBody.check>;
      const info: VolumeInfo = {
        volume_id: stableId('volume', full_name), catalog_name: v.catalog_name, schema_name: v.schema_name, name: v.name, full_name, volume_type: v.volume_type,
        storage_location, owner: principal, created_at: now, created_by: principal, ...(v.comment ? { comment: v.comment } : {}),
      };
      if (state.volumeIdsByName.has(full_name)) throw new LakegateError('ALREADY_EXISTS', `Volume '${full_name}' already exists.`);
      await write(CATALOG_KEYS.volume(info.volume_id), info);
      return info;
    }
    case 'ListTables':
    case 'ListVolumes': {
      const schemaFull = `${param(req, 'catalog_name')}.${param(req, 'schema_name')}`;
      const source = req.operation === 'ListTables' ? [...state.tables.values()] : [...state.volumes.values()];
      const { items, next } = page(source.map((o) => o.value).filter((o) => `${o.catalog_name}.${o.schema_name}` === schemaFull).sort((a, b) => a.name.localeCompare(b.name)), req);
      return { [req.operation === 'ListTables' ? 'tables' : 'volumes']: items, ...(next ? { next_page_token: next } : {}) };
    }
    case 'UpdateVolume': {
      const id = state.volumeIdsByName.get(param(req, 'full_name'));
      const v = id ? state.volumes.get(id) : undefined;
      if (!v) throw notFound('Volume', param(req, 'full_name'));
      const owners = [v.value.owner, state.schemas.get(`${v.value.catalog_name}.${v.value.schema_name}`)?.value.owner, state.catalogs.get(v.value.catalog_name)?.value.owner];
      if (!mayManage(ctx, principal, owners)) throw denied(principal, `change volume '${v.value.full_name}'`);
      const b = UpdateBody.check(req.body ?? {});
      if (b.new_name) throw new LakegateError('INVALID_ARGUMENT', 'Renaming a volume is not supported.');
      const updated = { ...v.value, ...(b.comment !== undefined ? { comment: b.comment } : {}), ...(b.owner ? { owner: b.owner } : {}), updated_at: now, updated_by: principal };
      await write(CATALOG_KEYS.volume(v.value.volume_id), updated, v.revision);
      return updated;
    }
    case 'DeleteTable':
    case 'DeleteVolume': {
      const isTable = req.operation === 'DeleteTable';
      const name = param(req, 'full_name');
      const id = isTable ? state.tableIdsByName.get(name) : state.volumeIdsByName.get(name);
      const entry = id ? (isTable ? state.tables.get(id) : state.volumes.get(id)) : undefined;
      if (!entry || !id) throw notFound(isTable ? 'Table' : 'Volume', name);
      const o = entry.value;
      const chain = [{ type: (isTable ? 'table' : 'volume') as 'table' | 'volume', name, owner: o.owner }, ...parentChain(state, o.catalog_name, o.schema_name)];
      // Owners and admins delete; so do holders of DROP on a table (Lake Formation's DROP).
      if (!mayManage(ctx, principal, chain.map((c) => c.owner)) && !(isTable && has(state, principalsOf(state, principal), PRIVILEGES.drop, chain))) {
        throw denied(principal, `delete ${isTable ? 'table' : 'volume'} '${name}'`);
      }
      await remove(isTable ? CATALOG_KEYS.table(id) : CATALOG_KEYS.volume(id), entry.revision);
      await removeGrants(ctx, isTable ? 'table' : 'volume', name);
      if (isTable) await removeTableChildren(ctx, id, name);
      return {};
    }
    case 'CreateStorageCredential': {
      if (!isAdmin) throw denied(principal, 'create storage credentials');
      const b = CreateCredentialBody.check(req.body);
      if ([b.aws_iam_role, b.azure_service_principal, b.gcp_service_account].filter(Boolean).length !== 1) {
        throw new LakegateError('INVALID_ARGUMENT', 'A storage credential names exactly one of aws_iam_role, azure_service_principal, gcp_service_account.');
      }
      const info = { ...b, owner: principal };
      await write(CATALOG_KEYS.storageCredential(b.name), info);
      return info;
    }
    case 'ListStorageCredentials':
      return { credentials: [...state.credentials.values()].map((c) => c.value).sort((a, b) => a.name.localeCompare(b.name)) };
    case 'GetStorageCredential': {
      const c = state.credentials.get(param(req, 'name'));
      if (!c) throw notFound('Storage credential', param(req, 'name'));
      return c.value;
    }
    case 'DeleteStorageCredential': {
      const c = state.credentials.get(param(req, 'name'));
      if (!c) throw notFound('Storage credential', param(req, 'name'));
      if (!mayManage(ctx, principal, [c.value.owner])) throw denied(principal, `delete storage credential '${c.value.name}'`);
      if ([...state.locations.values()].some((l) => l.value.credential_name === c.value.name)) throw new LakegateError('FAILED_PRECONDITION', `Storage credential '${c.value.name}' is used by an external location.`);
      await remove(CATALOG_KEYS.storageCredential(c.value.name), c.revision);
      await removeGrants(ctx, 'storage_credential', c.value.name);
      return {};
    }
    case 'CreateExternalLocation': {
      if (!isAdmin) throw denied(principal, 'create external locations');
      const b = CreateLocationBody.check(req.body);
      if (!state.credentials.has(b.credential_name)) throw notFound('Storage credential', b.credential_name);
      const info = { name: b.name, url: normaliseLocation(b.url).url, credential_name: b.credential_name, owner: principal, ...(b.comment ? { comment: b.comment } : {}), ...(b.region ? { region: b.region } : {}) };
      await write(CATALOG_KEYS.externalLocation(b.name), info);
      return info;
    }
    case 'ListExternalLocations':
      return { external_locations: [...state.locations.values()].map((l) => l.value).sort((a, b) => a.name.localeCompare(b.name)) };
    case 'GetExternalLocation': {
      const l = state.locations.get(param(req, 'name'));
      if (!l) throw notFound('External location', param(req, 'name'));
      return l.value;
    }
    case 'DeleteExternalLocation': {
      const l = state.locations.get(param(req, 'name'));
      if (!l) throw notFound('External location', param(req, 'name'));
      if (!mayManage(ctx, principal, [l.value.owner])) throw denied(principal, `delete external location '${l.value.name}'`);
      await remove(CATALOG_KEYS.externalLocation(l.value.name), l.revision);
      await removeGrants(ctx, 'external_location', l.value.name);
      return {};
    }
    default:
      throw new LakegateError('NOT_IMPLEMENTED', `Operation ${req.operation} is not implemented.`);
  }
}

export const OBJECT_OPERATIONS = new Set<string>([
  'CreateCatalog', 'ListCatalogs', 'GetCatalog', 'UpdateCatalog', 'DeleteCatalog', 'CreateSchema', 'ListSchemas', 'GetSchema', 'UpdateSchema', 'DeleteSchema',
  'CreateTable', 'ListTables', 'DeleteTable', 'CreateVolume', 'ListVolumes', 'UpdateVolume', 'DeleteVolume', 'CreateStorageCredential', 'ListStorageCredentials',
  'GetStorageCredential', 'DeleteStorageCredential', 'CreateExternalLocation', 'ListExternalLocations', 'GetExternalLocation', 'DeleteExternalLocation',
]);
