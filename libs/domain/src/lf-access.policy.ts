import { cellsFilterSecurableName, LakegateError, type Access, type DataCellsFilterInfo, type PartitionInfo, type TableInfo } from '@lakegate/contracts';
import { partitionValuesKey, type CatalogState } from './catalog-state.js';
import { holdsPrivilege, principalsOf, PRIVILEGES, type Privilege } from './privileges.js';
import { coveringExternalLocation, resolveStorage } from './storage-resolution.js';
import { locationCovers, normaliseLocation, type StorageUrl } from './storage-url.js';
import { has, parentChain, type Decision } from './uc-access.policy.js';

/** Lake Formation permissions that make a table credential read-write. */
const WRITE_PERMISSIONS = new Set(['INSERT', 'DELETE', 'ALTER', 'DROP', 'ALL', 'SUPER_USER']);

const deny = (code: 'NOT_FOUND' | 'PERMISSION_DENIED' | 'INVALID_ARGUMENT' | 'FAILED_PRECONDITION', message: string, awsException?: string): Decision => ({
  allow: false,
  error: new LakegateError(code, message, awsException ? { details: { awsException } } : undefined),
});

const ARN = /^arn:(aws|aws-cn|aws-us-gov):glue:([a-z0-9-]+):(\d{12}):table\/([^/]+)\/([^/]+)$/;

/** `arn:aws:glue:<region>:<account>:table/<db>/<table>` → the lakegate table `<aws_glue_catalog>.<db>.<table>`. */
export function resolveGlueTableArn(state: CatalogState, arn: string): { fullName: string } | LakegateError {
  const m = ARN.exec(arn);
  if (!m) return new LakegateError('INVALID_ARGUMENT', `'${arn.slice(0, 200)}' is not a Glue table ARN (arn:aws:glue:<region>:<account>:table/<database>/<table>).`);
  const metastore = state.metastore?.value;
  if (!metastore) return new LakegateError('FAILED_PRECONDITION', 'No metastore is configured.');
  const [, , region, account, database, table] = m;
  if (region !== metastore.region) return new LakegateError('INVALID_ARGUMENT', `The table ARN names region ${region}; this deployment serves ${metastore.region}.`);
  if (account !== metastore.aws_account_id) return new LakegateError('INVALID_ARGUMENT', `The table ARN names account ${account}; this deployment is account ${metastore.aws_account_id}.`);
  return { fullName: `${metastore.aws_glue_catalog ?? 'main'}.${database}.${table}` };
}

function fullTableVendingDisabled(state: CatalogState): Decision | undefined {
  if (state.metastore?.value.allow_full_table_external_data_access) return undefined;
  return deny('PERMISSION_DENIED', 'Full-table credential vending is not allowed: enable AllowFullTableExternalDataAccess in the data lake settings.', 'AccessDeniedException');
}

function missingOnTable(state: CatalogState, principal: string, table: TableInfo, needed: Privilege[]): Privilege[] {
  const identities = principalsOf(state, principal);
  const chain = [{ type: 'table' as const, name: table.full_name, owner: table.owner }, ...parentChain(state, table.catalog_name, table.schema_name)];
  return needed.filter((p) => !has(state, identities, p, chain));
}

/** What an engine must enforce to honour a data cells filter: nothing (all columns, all rows), columns, or cells. */
export function permissionTypeOf(filter: DataCellsFilterInfo, table: TableInfo): 'COLUMN_PERMISSION' | 'CELL_FILTER_PERMISSION' | undefined {
  if (filter.row_filter_expression !== undefined) return 'CELL_FILTER_PERMISSION';
  const all = (table.columns ?? []).map((c) => c.name);
  if ((filter.excluded_column_names ?? []).length > 0) return 'COLUMN_PERMISSION';
  if (filter.column_names && !all.every((c) => filter.column_names?.includes(c))) return 'COLUMN_PERMISSION';
  return undefined;
}

/** The data cells filters on the table through which the principal (or a group of it) holds SELECT. */
export function grantedCellsFilters(state: CatalogState, identities: Set<string>, table: TableInfo): DataCellsFilterInfo[] {
  const filters = state.cellsFilters.get(table.full_name);
  if (!filters) return [];
  return [...filters.values()]
    .map((f) => f.value)
    .filter((f) => holdsPrivilege(state, identities, PRIVILEGES.select, [{ type: 'data_cells_filter', name: cellsFilterSecurableName(table.full_name, f.name) }]));
}

/**
 * Whether a read through data cells filters may be vended: a filter that shows everything makes the
 * read unfiltered; otherwise the engine must declare (SupportedPermissionTypes, COLUMN_PERMISSION by
 * default, as Lake Formation) that it enforces every kind of filter that applies — cell filtering
 * includes column filtering. Full-file credentials go only to engines that enforce the filters.
 */
function filteredRead(
  table: TableInfo,
  filters: DataCellsFilterInfo[],
  principal: string,
  supported: readonly string[] | undefined,
): { resources: { type: string; name: string }[] } | Decision {
  const types = filters.map((f) => permissionTypeOf(f, table));
  const resources = filters.map((f) => ({ type: 'data_cells_filter', name: cellsFilterSecurableName(table.full_name, f.name) }));
  if (types.some((t) => t === undefined)) return { resources };
  const declared = new Set(supported ?? ['COLUMN_PERMISSION']);
  const enforced = (t: string) => declared.has(t) || (t === 'COLUMN_PERMISSION' && declared.has('CELL_FILTER_PERMISSION'));
  const unenforced = [...new Set(types as string[])].filter((t) => !enforced(t));
  if (unenforced.length > 0) {
    return deny(
      'FAILED_PRECONDITION',
      `'${principal}' reads ${table.full_name} through data cells filter(s) ${filters.map((f) => `'${f.name}'`).join(', ')}, which need ${unenforced.join(' and ')}; the engine declared SupportedPermissionTypes [${[...declared].join(', ')}].`,
      'PermissionTypeMismatchException',
    );
  }
  return { resources };
}

/**
 * Lake Formation `GetTemporaryGlueTableCredentials` and `GetTemporaryGluePartitionCredentials`: the
 * ARN resolves in this deployment's region and account; the partition, if any, is registered;
 * full-table vending is allowed; the caller holds SELECT (or ALL / ownership) on the table, or SELECT
 * on data cells filters the engine declares it enforces; plus MODIFY when the requested permissions
 * write (filters never grant writes). The scope is the table's location, or the partition's own
 * location, or an S3 path under either.
 */
export function decideGlueTableAccess(
  state: CatalogState,
  input: {
    principal: string;
    tableArn: string;
    permissions?: readonly string[] | undefined;
    supportedPermissionTypes?: readonly string[] | undefined;
    partitionValues?: readonly string[] | undefined;
    s3Path?: string | undefined;
  },
): Decision {
  const resolved = resolveGlueTableArn(state, input.tableArn);
  if (resolved instanceof LakegateError) return { allow: false, error: resolved };
  const id = state.tableIdsByName.get(resolved.fullName);
  const table = id ? state.tables.get(id)?.value : undefined;
  if (!table) return deny('NOT_FOUND', `Table '${input.tableArn}' does not exist.`, 'EntityNotFoundException');
  let partition: PartitionInfo | undefined;
  if (input.partitionValues) {
    partition = state.partitions.get(table.table_id)?.get(partitionValuesKey(input.partitionValues))?.value;
    if (!partition) return deny('NOT_FOUND', `Partition [${input.partitionValues.join(', ')}] of '${resolved.fullName}' does not exist.`, 'EntityNotFoundException');
  }
  const disabled = fullTableVendingDisabled(state);
  if (disabled) return disabled;
  const write = (input.permissions ?? []).some((p) => WRITE_PERMISSIONS.has(p));
  const identities = principalsOf(state, input.principal);
  const resources: { type: string; name: string }[] = [{ type: 'table', name: resolved.fullName }];
  if (partition) resources.push({ type: 'partition', name: `${resolved.fullName}/${JSON.stringify(partition.values)}` });
  const missing = missingOnTable(state, input.principal, table, write ? [PRIVILEGES.select, PRIVILEGES.modify] : [PRIVILEGES.select]);
  if (missing.length > 0) {
    const filters = write ? [] : grantedCellsFilters(state, identities, table);
    if (filters.length === 0) {
      return deny('PERMISSION_DENIED', `Insufficient Lake Formation permission(s): '${input.principal}' lacks ${missing.join(' and ')} on ${resolved.fullName}.`, 'AccessDeniedException');
    }
    const filtered = filteredRead(table, filters, input.principal, input.supportedPermissionTypes);
    if ('allow' in filtered) return filtered;
    resources.push(...filtered.resources);
  }
  let targets: StorageUrl[];
  try {
    const root = normaliseLocation(partition?.storage_location ?? table.storage_location);
    if (input.s3Path) {
      const path = normaliseLocation(input.s3Path);
      const roots = partition ? [root] : [root, ...partitionRoots(state, table)];
      if (!roots.some((r) => locationCovers(r, path))) return deny('INVALID_ARGUMENT', `S3Path '${path.url}' is not under the ${partition ? 'partition' : 'table'}'s location.`, 'InvalidInputException');
      targets = [path];
    } else {
      targets = [root];
    }
  } catch (error) {
    return { allow: false, error: error as LakegateError };
  }
  return scope(state, targets, write ? 'write' : 'read', partition ? `partition [${partition.values.join(', ')}] of '${resolved.fullName}'` : `table '${resolved.fullName}'`, resources);
}

/** The locations of a table's partitions (which need not lie under the table's own). */
function partitionRoots(state: CatalogState, table: TableInfo): StorageUrl[] {
  const out: StorageUrl[] = [];
  for (const p of state.partitions.get(table.table_id)?.values() ?? []) {
    try {
      out.push(normaliseLocation(p.value.storage_location));
    } catch {
      // A stored location that no longer parses covers nothing.
    }
  }
  return out;
}

/**
 * Lake Formation `GetTemporaryDataLocationCredentials`: each location is registered (under an
 * external location) and associated with Glue tables (tables inside it, or the table it lies in);
 * full-table vending is allowed; the caller holds SELECT (and MODIFY for READWRITE) on every such table.
 */
export function decideDataLocationsAccess(state: CatalogState, input: { principal: string; urls: readonly string[]; access: Access }): Decision {
  const disabled = fullTableVendingDisabled(state);
  if (disabled) return disabled;
  const targets: StorageUrl[] = [];
  const resources: { type: string; name: string }[] = [];
  for (const raw of input.urls) {
    let target: StorageUrl;
    try {
      target = normaliseLocation(raw);
    } catch (error) {
      return { allow: false, error: error as LakegateError };
    }
    if (target.scheme !== 's3') return deny('INVALID_ARGUMENT', `'${target.url}' is not an Amazon S3 location.`, 'InvalidInputException');
    const related = (loc: StorageUrl) => locationCovers(target, loc) || locationCovers(loc, target);
    const tables = [...state.tables.values()].map((t) => t.value).filter((t) => {
      try {
        return related(normaliseLocation(t.storage_location)) || partitionRoots(state, t).some(related);
      } catch {
        return false;
      }
    });
    if (tables.length === 0) return deny('INVALID_ARGUMENT', `No Glue table is associated with data location '${target.url}'.`, 'InvalidInputException');
    for (const table of tables) {
      const missing = missingOnTable(state, input.principal, table, input.access === 'write' ? [PRIVILEGES.select, PRIVILEGES.modify] : [PRIVILEGES.select]);
      if (missing.length > 0) {
        return deny('PERMISSION_DENIED', `Insufficient Lake Formation permission(s): '${input.principal}' lacks ${missing.join(' and ')} on ${table.full_name}.`, 'AccessDeniedException');
      }
      resources.push({ type: 'table', name: table.full_name });
    }
    targets.push(target);
  }
  return scope(state, targets, input.access, 'the data locations', resources);
}

function scope(state: CatalogState, targets: StorageUrl[], access: Access, what: string, resources: { type: string; name: string }[]): Decision {
  const resolved = resolveStorage(state, targets, what);
  if (resolved instanceof LakegateError) {
    const notRegistered = resolved.message.startsWith('No external location');
    return notRegistered ? deny('INVALID_ARGUMENT', resolved.message.replace('No external location covers', 'No registered location covers'), 'InvalidInputException') : { allow: false, error: resolved };
  }
  if (resolved.cloud !== 'aws') return deny('INVALID_ARGUMENT', `${what} is not on Amazon S3.`, 'InvalidInputException');
  const region = state.metastore?.value.region;
  for (const target of targets) {
    const covering = coveringExternalLocation(state, target);
    const locationRegion = covering ? state.locations.get(covering.name)?.value.region : undefined;
    if (locationRegion && locationRegion !== region) {
      return deny('INVALID_ARGUMENT', `'${target.url}' is registered in region ${locationRegion}; this deployment serves ${region}.`, 'InvalidInputException');
    }
  }
  return { allow: true, scope: { cloud: resolved.cloud, locations: targets.map((t) => ({ url: t.url, access })), storageCredential: resolved.credential }, resources };
}
