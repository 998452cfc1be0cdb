import { LakegateError, type Access, type TableInfo } from '@lakegate/contracts';
import type { CatalogState } from './catalog-state.js';
import { principalsOf, PRIVILEGES, type Privilege } from './privileges.js';
import { resolveStorage } from './storage-resolution.js';
import { locationCovers, normaliseLocation, type StorageUrl } from './storage-url.js';
import { has, parentChain, type Decision } from './uc-access.policy.js';

/** Lake Formation permissions that make a table credential read-write. */
const WRITE_PERMISSIONS = new Set(['INSERT', 'DELETE', 'ALTER', 'DROP', 'ALL', 'SUPER_USER']);

const deny = (code: 'NOT_FOUND' | 'PERMISSION_DENIED' | 'INVALID_ARGUMENT', message: string, awsException?: string): Decision => ({
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

/**
 * Lake Formation `GetTemporaryGlueTableCredentials` (and partition credentials): the ARN resolves in
 * this deployment's region and account; full-table vending is allowed; the caller holds SELECT (or
 * ALL / ownership), plus MODIFY when the requested permissions write. An optional S3 path narrows the
 * scope and must lie under the table's location.
 */
export function decideGlueTableAccess(
  state: CatalogState,
  input: { principal: string; tableArn: string; permissions?: readonly string[] | undefined; partitionValues?: readonly string[] | undefined; s3Path?: string | undefined },
): Decision {
  const resolved = resolveGlueTableArn(state, input.tableArn);
  if (resolved instanceof LakegateError) return { allow: false, error: resolved };
  const id = state.tableIdsByName.get(resolved.fullName);
  const table = id ? state.tables.get(id)?.value : undefined;
  if (!table) return deny('NOT_FOUND', `Table '${input.tableArn}' does not exist.`, 'EntityNotFoundException');
  if (input.partitionValues) {
    return deny('NOT_FOUND', `Partition [${input.partitionValues.join(', ')}] of '${resolved.fullName}' is not registered.`, 'EntityNotFoundException');
  }
  const disabled = fullTableVendingDisabled(state);
  if (disabled) return disabled;
  const write = (input.permissions ?? []).some((p) => WRITE_PERMISSIONS.has(p));
  const missing = missingOnTable(state, input.principal, table, write ? [PRIVILEGES.select, PRIVILEGES.modify] : [PRIVILEGES.select]);
  if (missing.length > 0) {
    return deny('PERMISSION_DENIED', `Insufficient Lake Formation permission(s): '${input.principal}' lacks ${missing.join(' and ')} on ${resolved.fullName}.`, 'AccessDeniedException');
  }
  let targets: StorageUrl[];
  try {
    const root = normaliseLocation(table.storage_location);
    if (input.s3Path) {
      const path = normaliseLocation(input.s3Path);
      if (!locationCovers(root, path)) return deny('INVALID_ARGUMENT', `S3Path '${path.url}' is not under the table's location.`, 'InvalidInputException');
      targets = [path];
    } else {
      targets = [root];
    }
  } catch (error) {
    return { allow: false, error: error as LakegateError };
  }
  return scope(state, targets, write ? 'write' : 'read', `table '${resolved.fullName}'`, [{ type: 'table', name: resolved.fullName }]);
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
    const tables = [...state.tables.values()].map((t) => t.value).filter((t) => {
      try {
        const loc = normaliseLocation(t.storage_location);
        return locationCovers(target, loc) || locationCovers(loc, target);
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
  return { allow: true, scope: { cloud: resolved.cloud, locations: targets.map((t) => ({ url: t.url, access })), storageCredential: resolved.credential }, resources };
}
