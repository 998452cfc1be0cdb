import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { CATALOG_KEYS, cellsFilterSecurableName, codec, LakegateError, type AdminRequest, type DataCellsFilterInfo, type GrantList, type SecurableType, type TableInfo } from '@lakegate/contracts';
import { canonicalPrivilege, grantKey, normaliseLocation, PRIVILEGES, type CatalogState, type Privilege } from '@lakegate/domain';
import type { AdminContext } from './catalog-admin.js';
import { withKeyLock } from './key-lock.js';

/** Lake Formation errors carry their exception name for the face. */
const lfError = (code: 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'PERMISSION_DENIED', message: string, exception: string) =>
  new LakegateError(code, message, { details: { awsException: exception } });
const invalid = (message: string) => lfError('INVALID_ARGUMENT', message, 'InvalidInputException');

const Principal = Type.Object({ DataLakePrincipalIdentifier: Type.String({ minLength: 1, maxLength: 255 }) });
const Resource = Type.Object({
  Catalog: Type.Optional(Type.Object({ Id: Type.Optional(Type.String()) })),
  Database: Type.Optional(Type.Object({ CatalogId: Type.Optional(Type.String()), Name: Type.String({ minLength: 1, maxLength: 255 }) })),
  Table: Type.Optional(
    Type.Object({
      CatalogId: Type.Optional(Type.String()),
      DatabaseName: Type.String({ minLength: 1, maxLength: 255 }),
      Name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
      TableWildcard: Type.Optional(Type.Object({})),
    }),
  ),
  DataLocation: Type.Optional(Type.Object({ CatalogId: Type.Optional(Type.String()), ResourceArn: Type.String({ minLength: 1, maxLength: 2048 }) })),
  DataCellsFilter: Type.Optional(Type.Object({ TableCatalogId: Type.Optional(Type.String()), DatabaseName: Type.String({ minLength: 1, maxLength: 255 }), TableName: Type.String({ minLength: 1, maxLength: 255 }), Name: Type.String({ minLength: 1, maxLength: 255 }) })),
  TableWithColumns: Type.Optional(
    Type.Object({
      CatalogId: Type.Optional(Type.String()),
      DatabaseName: Type.String({ minLength: 1, maxLength: 255 }),
      Name: Type.String({ minLength: 1, maxLength: 255 }),
      ColumnNames: Type.Optional(Type.Array(Type.String({ maxLength: 255 }))),
      ColumnWildcard: Type.Optional(Type.Object({ ExcludedColumnNames: Type.Optional(Type.Array(Type.String({ maxLength: 255 }))) })),
    }),
  ),
});
const FilterName = Type.String({ minLength: 1, maxLength: 255 });
const TableData = Type.Object({
  TableCatalogId: Type.String({ minLength: 1, maxLength: 255 }),
  DatabaseName: Type.String({ minLength: 1, maxLength: 255 }),
  TableName: Type.String({ minLength: 1, maxLength: 255 }),
  Name: FilterName,
  RowFilter: Type.Optional(Type.Object({ FilterExpression: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })), AllRowsWildcard: Type.Optional(Type.Object({})) })),
  ColumnNames: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 4096 })),
  ColumnWildcard: Type.Optional(Type.Object({ ExcludedColumnNames: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 4096 })) })),
  VersionId: Type.Optional(Type.String({ maxLength: 255 })),
});
const CreateFilterBody = codec(Type.Object({ TableData }));
const FilterRefBody = codec(
  Type.Object({ TableCatalogId: Type.Optional(Type.String()), DatabaseName: Type.String({ minLength: 1, maxLength: 255 }), TableName: Type.String({ minLength: 1, maxLength: 255 }), Name: FilterName }),
);
const ListFiltersBody = codec(
  Type.Object({
    Table: Type.Optional(Type.Object({ CatalogId: Type.Optional(Type.String()), DatabaseName: Type.String({ minLength: 1, maxLength: 255 }), Name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })), TableWildcard: Type.Optional(Type.Object({})) })),
    NextToken: Type.Optional(Type.String({ maxLength: 64 })),
    MaxResults: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  }),
);
const LF_PERMISSION = Type.String({ maxLength: 64 });
const GrantBody = codec(
  Type.Object({
    CatalogId: Type.Optional(Type.String()),
    Principal,
    Resource,
    Permissions: Type.Array(LF_PERMISSION, { minItems: 1, maxItems: 32 }),
    PermissionsWithGrantOption: Type.Optional(Type.Array(LF_PERMISSION, { maxItems: 32 })),
  }),
);
const ListBody = codec(
  Type.Object({
    CatalogId: Type.Optional(Type.String()),
    Principal: Type.Optional(Principal),
    ResourceType: Type.Optional(Type.String()),
    Resource: Type.Optional(Resource),
    NextToken: Type.Optional(Type.String({ maxLength: 64 })),
    MaxResults: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    IncludeRelated: Type.Optional(Type.String()),
  }),
);
const SettingsBody = codec(
  Type.Object({
    CatalogId: Type.Optional(Type.String()),
    DataLakeSettings: Type.Object({
      DataLakeAdmins: Type.Optional(Type.Array(Principal)),
      AllowFullTableExternalDataAccess: Type.Optional(Type.Boolean()),
      AllowExternalDataFiltering: Type.Optional(Type.Boolean()),
    }),
  }),
);
const RegisterBody = codec(
  Type.Object({ ResourceArn: Type.String({ minLength: 1, maxLength: 2048 }), UseServiceLinkedRole: Type.Optional(Type.Boolean()), RoleArn: Type.Optional(Type.String({ maxLength: 2048 })) }),
);
const DeregisterBody = codec(Type.Object({ ResourceArn: Type.String({ minLength: 1, maxLength: 2048 }) }));

/** LF permission → the privileges lakegate stores, by securable type. */
const TO_PRIVILEGES: Record<string, Partial<Record<SecurableType, Privilege[]>>> = {
  // SELECT on a data cells filter is the filtered read; the filter decides what it shows.
  SELECT: { table: [PRIVILEGES.select], schema: [PRIVILEGES.select], data_cells_filter: [PRIVILEGES.select] },
  INSERT: { table: [PRIVILEGES.modify], schema: [PRIVILEGES.modify] },
  DELETE: { table: [PRIVILEGES.modify], schema: [PRIVILEGES.modify] },
  ALL: { table: [PRIVILEGES.allPrivileges], schema: [PRIVILEGES.allPrivileges], catalog: [PRIVILEGES.allPrivileges] },
  SUPER_USER: { table: [PRIVILEGES.allPrivileges], schema: [PRIVILEGES.allPrivileges], catalog: [PRIVILEGES.allPrivileges] },
  DESCRIBE: { table: [PRIVILEGES.browse], schema: [PRIVILEGES.useSchema], catalog: [PRIVILEGES.useCatalog] },
  ALTER: { table: [PRIVILEGES.alter], schema: [PRIVILEGES.alter] },
  DROP: { table: [PRIVILEGES.drop], schema: [PRIVILEGES.drop] },
  DATA_LOCATION_ACCESS: { external_location: [PRIVILEGES.createExternalTable] },
};
const FROM_PRIVILEGE: Record<string, string[]> = {
  [PRIVILEGES.select]: ['SELECT'],
  [PRIVILEGES.modify]: ['INSERT', 'DELETE'],
  [PRIVILEGES.allPrivileges]: ['ALL'],
  [PRIVILEGES.useSchema]: ['DESCRIBE'],
  [PRIVILEGES.useCatalog]: ['DESCRIBE'],
  [PRIVILEGES.createExternalTable]: ['DATA_LOCATION_ACCESS'],
  [PRIVILEGES.browse]: ['DESCRIBE'],
  [PRIVILEGES.alter]: ['ALTER'],
  [PRIVILEGES.drop]: ['DROP'],
};

/** `arn:aws:iam::<account>:user/<name>` or `…:role/<name>` of this account, or a plain principal name. */
function principalOf(state: CatalogState, id: string): string {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):(?:user|role)\/(?:.*\/)?([^/]+)$/.exec(id);
  if (m) {
    if (m[1] !== state.metastore?.value.aws_account_id) throw invalid(`Principal '${id}' is in another account.`);
    return m[2]!;
  }
  if (id.startsWith('arn:')) throw invalid(`'${id}' is not a principal lakegate knows (an IAM user or role ARN of this account, or a principal name).`);
  return id;
}

const s3Url = (arn: string) => {
  const m = /^arn:aws[a-z-]*:s3:::(.+)$/.exec(arn);
  if (!m) throw invalid(`'${arn}' is not an Amazon S3 ARN.`);
  return normaliseLocation(`s3://${m[1]}`);
};
const s3Arn = (url: string) => `arn:aws:s3:::${url.slice('s3://'.length)}`;

function securableOf(state: CatalogState, resource: ReturnType<typeof GrantBody.check>['Resource']): { type: SecurableType; name: string } {
  const glue = state.metastore?.value.aws_glue_catalog ?? 'main';
  if (resource.DataCellsFilter) {
    const f = resource.DataCellsFilter;
    const table = `${glue}.${f.DatabaseName}.${f.TableName}`;
    if (!state.cellsFilters.get(table)?.has(f.Name)) throw lfError('NOT_FOUND', `Data cells filter '${f.Name}' on ${f.DatabaseName}.${f.TableName} does not exist.`, 'EntityNotFoundException');
    return { type: 'data_cells_filter', name: cellsFilterSecurableName(table, f.Name) };
  }
  if (resource.TableWithColumns) {
    const t = resource.TableWithColumns;
    const everyColumn = t.ColumnWildcard && !t.ColumnNames && (t.ColumnWildcard.ExcludedColumnNames ?? []).length === 0;
    if (everyColumn) return securableOf(state, { Table: { DatabaseName: t.DatabaseName, Name: t.Name } });
    const filter = columnFilterFor(state, t);
    if (!state.cellsFilters.get(filter.table_full_name)?.has(filter.name)) {
      throw lfError('NOT_FOUND', `No permission was granted on these columns of ${t.DatabaseName}.${t.Name}.`, 'EntityNotFoundException');
    }
    return { type: 'data_cells_filter', name: cellsFilterSecurableName(filter.table_full_name, filter.name) };
  }
  if (resource.Table) {
    if (!resource.Table.Name || resource.Table.TableWildcard) {
      const schema = `${glue}.${resource.Table.DatabaseName}`;
      if (!state.schemas.has(schema)) throw lfError('NOT_FOUND', `Database '${resource.Table.DatabaseName}' does not exist.`, 'EntityNotFoundException');
      return { type: 'schema', name: schema };
    }
    const name = `${glue}.${resource.Table.DatabaseName}.${resource.Table.Name}`;
    if (!state.tableIdsByName.has(name)) throw lfError('NOT_FOUND', `Table '${resource.Table.DatabaseName}.${resource.Table.Name}' does not exist.`, 'EntityNotFoundException');
    return { type: 'table', name };
  }
  if (resource.Database) {
    const name = `${glue}.${resource.Database.Name}`;
    if (!state.schemas.has(name)) throw lfError('NOT_FOUND', `Database '${resource.Database.Name}' does not exist.`, 'EntityNotFoundException');
    return { type: 'schema', name };
  }
  if (resource.DataLocation) {
    const url = s3Url(resource.DataLocation.ResourceArn).url;
    const location = [...state.locations.values()].find((l) => normaliseLocation(l.value.url).url === url);
    if (!location) throw lfError('NOT_FOUND', `Data location '${resource.DataLocation.ResourceArn}' is not registered.`, 'EntityNotFoundException');
    return { type: 'external_location', name: location.value.name };
  }
  if (resource.Catalog) return { type: 'catalog', name: glue };
  throw invalid('The resource names no catalog, database, table or data location.');
}

function resourceOf(state: CatalogState, type: SecurableType, name: string): Record<string, unknown> | undefined {
  const glue = state.metastore?.value.aws_glue_catalog ?? 'main';
  const catalogId = state.metastore?.value.aws_account_id;
  const [cat, db, table] = name.split('.');
  if ((type === 'table' || type === 'schema' || type === 'catalog' || type === 'data_cells_filter') && cat !== glue) return undefined;
  if (type === 'table') return { Table: { CatalogId: catalogId, DatabaseName: db, Name: table } };
  if (type === 'schema') return { Database: { CatalogId: catalogId, Name: db } };
  if (type === 'catalog') return { Catalog: {} };
  if (type === 'data_cells_filter') {
    const slash = name.lastIndexOf('/');
    const [, fdb, ftable] = name.slice(0, slash).split('.');
    const filter = state.cellsFilters.get(name.slice(0, slash))?.get(name.slice(slash + 1))?.value;
    if (filter && isColumnFilter(filter.name)) {
      return {
        TableWithColumns: {
          CatalogId: catalogId,
          DatabaseName: fdb,
          Name: ftable,
          ...(filter.column_names ? { ColumnNames: filter.column_names } : { ColumnWildcard: { ExcludedColumnNames: filter.excluded_column_names ?? [] } }),
        },
      };
    }
    return { DataCellsFilter: { TableCatalogId: catalogId, DatabaseName: fdb, TableName: ftable, Name: name.slice(slash + 1) } };
  }
  if (type === 'external_location') {
    const location = state.locations.get(name)?.value;
    return location && location.url.startsWith('s3://') ? { DataLocation: { CatalogId: catalogId, ResourceArn: s3Arn(normaliseLocation(location.url).url) } } : undefined;
  }
  return undefined;
}

const requireLfAdmin = (ctx: AdminContext, principal: string) => {
  if (!ctx.admins.has(principal)) throw lfError('PERMISSION_DENIED', `'${principal}' is not a data lake administrator.`, 'AccessDeniedException');
};

/** Lake Formation administration, mapped onto lakegate's catalog: the same grants the other faces see. */
export async function runLakeFormationAdmin(ctx: AdminContext, principal: string, req: AdminRequest): Promise<unknown> {
  const state = ctx.view.state;
  switch (req.operation) {
    case 'LfGrantPermissions':
    case 'LfRevokePermissions': {
      requireLfAdmin(ctx, principal);
      const body = GrantBody.check(req.body);
      const grantee = principalOf(state, body.Principal.DataLakePrincipalIdentifier);
      if (!state.principals.has(grantee)) throw lfError('NOT_FOUND', `Principal '${grantee}' does not exist.`, 'EntityNotFoundException');
      const columns = body.Resource.TableWithColumns;
      if (columns && req.operation === 'LfGrantPermissions' && (columns.ColumnNames || columns.ColumnWildcard?.ExcludedColumnNames?.length)) {
        if (body.Permissions.some((p) => p !== 'SELECT')) throw invalid('Only SELECT can be granted on columns.');
        await ensureColumnFilter(ctx, principal, columnFilterFor(state, columns));
      }
      const securable = securableOf(ctx.view.state, body.Resource);
      const privileges = new Set<string>();
      for (const p of body.Permissions) {
        const mapped = TO_PRIVILEGES[p]?.[securable.type];
        if (!mapped) throw invalid(`Permission ${p} is not supported on a ${securable.type === 'schema' ? 'database' : securable.type === 'external_location' ? 'data location' : securable.type} by lakegate.`);
        for (const m of mapped) privileges.add(m);
      }
      const key = CATALOG_KEYS.grants(securable.type, securable.name);
      const add = req.operation === 'LfGrantPermissions';
      await withKeyLock(key, async () => {
        for (let attempt = 0; attempt < 10; attempt++) {
          const current = await ctx.writer.get(key);
          const list = (current?.value as GrantList | undefined)?.privilege_assignments ?? [];
          const byPrincipal = new Map(list.map((a) => [a.principal, new Set(a.privileges.map((x) => canonicalPrivilege(x) ?? x))]));
          const set = byPrincipal.get(grantee) ?? new Set<string>();
          for (const p of privileges) {
            if (add) set.add(p);
            else set.delete(p);
          }
          byPrincipal.set(grantee, set);
          const next: GrantList = {
            securable_type: securable.type,
            securable_name: securable.name,
            privilege_assignments: [...byPrincipal].filter(([, s]) => s.size > 0).map(([p, s]) => ({ principal: p, privileges: [...s].sort() })),
          };
          try {
            const revision = await ctx.writer.put(key, next, current?.revision);
            await ctx.view.waitFor(revision);
            if (next.privilege_assignments.length === 0 && securable.type === 'data_cells_filter') await dropUnusedColumnFilter(ctx, securable.name, key, revision);
            return;
          } catch (error) {
            const code = (error as LakegateError).code;
            if (code !== 'CONFLICT' && code !== 'ALREADY_EXISTS') throw error;
            await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
          }
        }
        throw lfError('INVALID_ARGUMENT', 'The permissions changed concurrently too often; retry.', 'ConcurrentModificationException');
      });
      return {};
    }
    case 'LfListPermissions': {
      requireLfAdmin(ctx, principal);
      const body = ListBody.check(req.body ?? {});
      const who = body.Principal ? principalOf(state, body.Principal.DataLakePrincipalIdentifier) : undefined;
      const only = body.Resource ? securableOf(state, body.Resource) : undefined;
      const out: Record<string, unknown>[] = [];
      for (const { value: grants } of state.grants.values()) {
        if (only && grantKey(only.type, only.name) !== grantKey(grants.securable_type, grants.securable_name)) continue;
        const resource = resourceOf(state, grants.securable_type, grants.securable_name);
        if (!resource) continue;
        for (const a of grants.privilege_assignments) {
          if (who && a.principal !== who) continue;
          const permissions = [...new Set(a.privileges.flatMap((p) => FROM_PRIVILEGE[canonicalPrivilege(p) ?? p] ?? []))].sort();
          if (permissions.length === 0) continue;
          out.push({ Principal: { DataLakePrincipalIdentifier: a.principal }, Resource: resource, Permissions: permissions, PermissionsWithGrantOption: [] });
        }
      }
      const start = body.NextToken ? Number(Buffer.from(body.NextToken, 'base64url').toString()) : 0;
      if (!Number.isInteger(start) || start < 0) throw invalid('NextToken is not valid.');
      const max = body.MaxResults ?? 100;
      return { PrincipalResourcePermissions: out.slice(start, start + max), ...(start + max < out.length ? { NextToken: Buffer.from(String(start + max)).toString('base64url') } : {}) };
    }
    case 'LfGetDataLakeSettings': {
      const m = state.metastore?.value;
      return {
        DataLakeSettings: {
          DataLakeAdmins: [...ctx.admins].sort().map((a) => ({ DataLakePrincipalIdentifier: a })),
          AllowFullTableExternalDataAccess: m?.allow_full_table_external_data_access ?? false,
          CreateDatabaseDefaultPermissions: [],
          CreateTableDefaultPermissions: [],
        },
      };
    }
    case 'LfPutDataLakeSettings': {
      requireLfAdmin(ctx, principal);
      const body = SettingsBody.check(req.body);
      const admins = body.DataLakeSettings.DataLakeAdmins?.map((a) => principalOf(state, a.DataLakePrincipalIdentifier));
      if (admins && (admins.length !== ctx.admins.size || admins.some((a) => !ctx.admins.has(a)))) {
        throw invalid('Data lake administrators are set by lakegate configuration (LAKEGATE_ADMINS), not through this API.');
      }
      const current = state.metastore;
      if (!current) throw lfError('NOT_FOUND', 'No metastore is configured.', 'EntityNotFoundException');
      if (body.DataLakeSettings.AllowFullTableExternalDataAccess !== undefined) {
        const updated = { ...current.value, allow_full_table_external_data_access: body.DataLakeSettings.AllowFullTableExternalDataAccess };
        await ctx.view.waitFor(await ctx.writer.put(CATALOG_KEYS.metastore, updated, current.revision));
      }
      return {};
    }
    case 'LfRegisterResource': {
      requireLfAdmin(ctx, principal);
      const body = RegisterBody.check(req.body);
      const url = s3Url(body.ResourceArn).url;
      if (!body.RoleArn) throw invalid('lakegate has no service-linked role: give RoleArn.');
      if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(body.RoleArn)) throw invalid(`'${body.RoleArn}' is not an IAM role ARN.`);
      if ([...state.locations.values()].some((l) => normaliseLocation(l.value.url).url === url)) {
        throw lfError('INVALID_ARGUMENT', `Resource '${body.ResourceArn}' is already registered.`, 'AlreadyExistsException');
      }
      const id = createHash('sha256').update(url).digest('hex').slice(0, 12);
      const credentialName = `lf-role-${createHash('sha256').update(body.RoleArn).digest('hex').slice(0, 12)}`;
      if (!state.credentials.has(credentialName)) await ctx.writer.put(CATALOG_KEYS.storageCredential(credentialName), { name: credentialName, owner: principal, aws_iam_role: { role_arn: body.RoleArn } }, undefined);
      await ctx.view.waitFor(await ctx.writer.put(CATALOG_KEYS.externalLocation(`lf-${id}`), { name: `lf-${id}`, url, credential_name: credentialName, owner: principal, comment: 'registered through Lake Formation' }, undefined));
      return {};
    }
    case 'LfDeregisterResource': {
      requireLfAdmin(ctx, principal);
      const url = s3Url(DeregisterBody.check(req.body).ResourceArn).url;
      const location = [...state.locations.values()].find((l) => normaliseLocation(l.value.url).url === url);
      if (!location) throw lfError('NOT_FOUND', `Resource '${url}' is not registered.`, 'EntityNotFoundException');
      await ctx.writer.remove(CATALOG_KEYS.externalLocation(location.value.name), location.revision);
      const grants = state.grants.get(grantKey('external_location', location.value.name));
      if (grants) await ctx.writer.remove(CATALOG_KEYS.grants('external_location', location.value.name), grants.revision);
      return {};
    }
    case 'LfListResources': {
      requireLfAdmin(ctx, principal);
      return {
        ResourceInfoList: [...state.locations.values()]
          .map((l) => l.value)
          .filter((l) => l.url.startsWith('s3://'))
          .map((l) => ({ ResourceArn: s3Arn(normaliseLocation(l.url).url), RoleArn: state.credentials.get(l.credential_name)?.value.aws_iam_role?.role_arn })),
      };
    }
    case 'LfCreateDataCellsFilter': {
      const { TableData: d } = CreateFilterBody.check(req.body);
      checkCatalogId(state, d.TableCatalogId);
      const table = glueTableOf(state, d.DatabaseName, d.TableName);
      if (!ctx.admins.has(principal) && table.owner !== principal) throw lfError('PERMISSION_DENIED', `'${principal}' may not create data cells filters on ${table.full_name}: data lake administrators and the table's owner may.`, 'AccessDeniedException');
      if ((d.ColumnNames === undefined) === (d.ColumnWildcard === undefined)) throw invalid('A data cells filter names exactly one of ColumnNames and ColumnWildcard.');
      if (isColumnFilter(d.Name)) throw invalid(`Filter names starting with '${COLUMN_FILTER_PREFIX}' are lakegate's own (column grants).`);
      if (d.RowFilter && (d.RowFilter.FilterExpression === undefined) === (d.RowFilter.AllRowsWildcard === undefined)) throw invalid('A RowFilter holds exactly one of FilterExpression and AllRowsWildcard.');
      const columns = (names: string[] | undefined) => (names ? columnsOf(table, names) : undefined);
      const filter: DataCellsFilterInfo = {
        table_full_name: table.full_name,
        name: d.Name,
        ...(d.ColumnNames ? { column_names: columns(d.ColumnNames) } : {}),
        ...(d.ColumnWildcard?.ExcludedColumnNames?.length ? { excluded_column_names: columns(d.ColumnWildcard.ExcludedColumnNames) } : {}),
        ...(d.RowFilter?.FilterExpression ? { row_filter_expression: d.RowFilter.FilterExpression } : {}),
        owner: principal,
        created_at: ctx.clock(),
      };
      if (state.cellsFilters.get(table.full_name)?.has(d.Name)) throw lfError('INVALID_ARGUMENT', `Data cells filter '${d.Name}' already exists on ${d.DatabaseName}.${d.TableName}.`, 'AlreadyExistsException');
      try {
        await ctx.view.waitFor(await ctx.writer.put(CATALOG_KEYS.cellsFilter(table.full_name, d.Name), filter, undefined));
      } catch (error) {
        const code = (error as LakegateError).code;
        if (code === 'ALREADY_EXISTS' || code === 'CONFLICT') throw lfError('INVALID_ARGUMENT', `Data cells filter '${d.Name}' already exists.`, 'AlreadyExistsException');
        throw error;
      }
      return {};
    }
    case 'LfDeleteDataCellsFilter': {
      const { b, table, entry } = filterOf(state, req.body);
      if (!ctx.admins.has(principal) && table.owner !== principal && entry.value.owner !== principal) throw lfError('PERMISSION_DENIED', `'${principal}' may not delete data cells filter '${b.Name}'.`, 'AccessDeniedException');
      const securable = cellsFilterSecurableName(table.full_name, b.Name);
      const grants = state.grants.get(grantKey('data_cells_filter', securable));
      // Grants first: should the filter's removal then fail, it stays without grants, and no grant is left for a re-created filter of that name to inherit.
      if (grants) await ctx.writer.remove(CATALOG_KEYS.grants('data_cells_filter', securable), grants.revision);
      await ctx.writer.remove(CATALOG_KEYS.cellsFilter(table.full_name, b.Name), entry.revision);
      return {};
    }
    case 'LfGetDataCellsFilter': {
      const { entry } = filterOf(state, req.body);
      requireLfAdmin(ctx, principal);
      return { DataCellsFilter: tableDataOf(state, entry.value, entry.revision) };
    }
    case 'LfListDataCellsFilter': {
      requireLfAdmin(ctx, principal);
      const b = ListFiltersBody.check(req.body ?? {});
      checkCatalogId(state, b.Table?.CatalogId);
      const glue = state.metastore?.value.aws_glue_catalog ?? 'main';
      const prefix = b.Table ? `${glue}.${b.Table.DatabaseName}.` : `${glue}.`;
      const all = [...state.cellsFilters.entries()]
        .filter(([table]) => (b.Table?.Name ? table === `${prefix}${b.Table.Name}` : table.startsWith(prefix)))
        .flatMap(([, filters]) => [...filters.values()].filter((f) => !isColumnFilter(f.value.name)))
        .sort((x, y) => `${x.value.table_full_name}/${x.value.name}`.localeCompare(`${y.value.table_full_name}/${y.value.name}`));
      const start = b.NextToken ? Number(Buffer.from(b.NextToken, 'base64url').toString()) : 0;
      if (!Number.isInteger(start) || start < 0) throw invalid('NextToken is not valid.');
      const max = b.MaxResults ?? 100;
      return { DataCellsFilters: all.slice(start, start + max).map((f) => tableDataOf(state, f.value, f.revision)), ...(start + max < all.length ? { NextToken: Buffer.from(String(start + max)).toString('base64url') } : {}) };
    }
    default:
      throw new LakegateError('NOT_IMPLEMENTED', `Operation ${req.operation} is not implemented.`);
  }
}

function checkCatalogId(state: CatalogState, id: string | undefined): void {
  const account = state.metastore?.value.aws_account_id;
  if (id !== undefined && id !== account) throw lfError('NOT_FOUND', `Catalog '${id}' does not exist: this Data Catalog is account ${account}.`, 'EntityNotFoundException');
}

/**
 * Column-level grants (`TableWithColumns` with named or excluded columns) are kept as data cells
 * filters of lakegate's own, one per column set, named after it; ListPermissions shows them back as
 * `TableWithColumns` and ListDataCellsFilter leaves them out.
 */
const COLUMN_FILTER_PREFIX = 'lakegate-columns-';
const isColumnFilter = (name: string) => name.startsWith(COLUMN_FILTER_PREFIX);

/** The table's own spelling of each named column; an unknown column is an input error. */
function columnsOf(table: TableInfo, names: readonly string[]): string[] {
  const known = new Map((table.columns ?? []).map((c) => [c.name.toLowerCase(), c.name]));
  return names.map((n) => {
    const name = known.get(n.toLowerCase());
    if (!name) throw invalid(`Column '${n}' is not a column of ${table.full_name}.`);
    return name;
  });
}

function columnFilterFor(state: CatalogState, t: NonNullable<ReturnType<typeof GrantBody.check>['Resource']['TableWithColumns']>): DataCellsFilterInfo {
  const table = glueTableOf(state, t.DatabaseName, t.Name);
  if ((t.ColumnNames === undefined) === (t.ColumnWildcard === undefined)) throw invalid('TableWithColumns names exactly one of ColumnNames and ColumnWildcard.');
  const named = t.ColumnNames ? [...new Set(columnsOf(table, t.ColumnNames))].sort() : undefined;
  const excluded = t.ColumnWildcard ? [...new Set(columnsOf(table, t.ColumnWildcard.ExcludedColumnNames ?? []))].sort() : undefined;
  const id = createHash('sha256').update(JSON.stringify({ named, excluded })).digest('hex').slice(0, 16);
  return {
    table_full_name: table.full_name,
    name: `${COLUMN_FILTER_PREFIX}${id}`,
    ...(named ? { column_names: named } : { excluded_column_names: excluded ?? [] }),
    owner: 'lakegate',
    created_at: 0,
  };
}

async function ensureColumnFilter(ctx: AdminContext, principal: string, filter: DataCellsFilterInfo): Promise<void> {
  if (ctx.view.state.cellsFilters.get(filter.table_full_name)?.has(filter.name)) return;
  try {
    await ctx.view.waitFor(await ctx.writer.put(CATALOG_KEYS.cellsFilter(filter.table_full_name, filter.name), { ...filter, owner: principal, created_at: ctx.clock() }, undefined));
  } catch (error) {
    // A concurrent grant on the same columns made it first: the same filter.
    const code = (error as LakegateError).code;
    if (code !== 'ALREADY_EXISTS' && code !== 'CONFLICT') throw error;
    await ctx.view.waitFor(await ctx.writer.lastRevision());
  }
}

/** A column filter of lakegate's own that no grant names any more is removed, with its empty grant list. */
async function dropUnusedColumnFilter(ctx: AdminContext, securableName: string, grantsKey: string, grantsRevision: number): Promise<void> {
  const slash = securableName.lastIndexOf('/');
  const table = securableName.slice(0, slash);
  const name = securableName.slice(slash + 1);
  const filter = ctx.view.state.cellsFilters.get(table)?.get(name);
  if (!filter || !isColumnFilter(name)) return;
  await ctx.writer.remove(grantsKey, grantsRevision);
  await ctx.writer.remove(CATALOG_KEYS.cellsFilter(table, name), filter.revision);
}

/** The data cells filter a request names (`TableCatalogId`, `DatabaseName`, `TableName`, `Name`), with its table. */
function filterOf(state: CatalogState, body: unknown) {
  const b = FilterRefBody.check(body);
  checkCatalogId(state, b.TableCatalogId);
  const table = glueTableOf(state, b.DatabaseName, b.TableName);
  const entry = state.cellsFilters.get(table.full_name)?.get(b.Name);
  if (!entry) throw lfError('NOT_FOUND', `Data cells filter '${b.Name}' on ${b.DatabaseName}.${b.TableName} does not exist.`, 'EntityNotFoundException');
  return { b, table, entry };
}

function glueTableOf(state: CatalogState, database: string, name: string) {
  const glue = state.metastore?.value.aws_glue_catalog ?? 'main';
  const id = state.tableIdsByName.get(`${glue}.${database}.${name}`);
  const table = id ? state.tables.get(id)?.value : undefined;
  if (!table) throw lfError('NOT_FOUND', `Table '${database}.${name}' does not exist.`, 'EntityNotFoundException');
  return table;
}

/** A stored filter as Lake Formation's `DataCellsFilter`. */
function tableDataOf(state: CatalogState, f: DataCellsFilterInfo, revision: number): Record<string, unknown> {
  const [, database, table] = f.table_full_name.split('.');
  return {
    TableCatalogId: state.metastore?.value.aws_account_id,
    DatabaseName: database,
    TableName: table,
    Name: f.name,
    RowFilter: f.row_filter_expression ? { FilterExpression: f.row_filter_expression } : { AllRowsWildcard: {} },
    ...(f.column_names ? { ColumnNames: f.column_names } : { ColumnWildcard: { ExcludedColumnNames: f.excluded_column_names ?? [] } }),
    VersionId: String(revision),
  };
}
