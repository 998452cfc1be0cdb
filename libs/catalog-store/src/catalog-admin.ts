import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import {
  CATALOG_KEYS,
  LakegateError,
  PRINCIPAL_TYPES,
  SECURABLE_TYPES,
  codec,
  type AccessKeyRecord,
  type AdminRequest,
  type GrantList,
  type Principal,
  type SecurableType,
  type TokenRecord,
} from '@lakegate/contracts';
import { canonicalPrivilege, grantKey, PRIVILEGES, type CatalogState, type Privilege } from '@lakegate/domain';
import { sealSecret, type SymmetricKey } from '@lakegate/trust';
import type { CatalogView, CatalogWriter } from './catalog-kv.js';
import { withKeyLock } from './key-lock.js';
import { OBJECT_OPERATIONS, runObjectAdmin } from './uc-objects-admin.js';
import { runLakeFormationAdmin } from './lf-admin.js';
import { runGlueAdmin } from './glue-admin.js';
import { runShareAdmin, runSharingRead } from './sharing-admin.js';
import { applyPlan, catalogSeedCodec, exportSeed, planSeed } from './catalog-seed.js';
import { Value } from '@sinclair/typebox/value';

export interface AdminContext {
  view: CatalogView;
  writer: CatalogWriter;
  /** Seals the secrets of access keys lakegate issues (the edge opens them to verify SigV4). */
  accessKeySealKey?: SymmetricKey | undefined;
  /** Metastore admins, from configuration. */
  admins: ReadonlySet<string>;
  clock: () => number;
}

/** Which securable types a privilege may be granted on. */
const APPLIES_TO: Record<Privilege, readonly SecurableType[]> = {
  [PRIVILEGES.useCatalog]: ['catalog'],
  [PRIVILEGES.useSchema]: ['catalog', 'schema'],
  [PRIVILEGES.select]: ['catalog', 'schema', 'table', 'share', 'data_cells_filter'],
  [PRIVILEGES.modify]: ['catalog', 'schema', 'table'],
  [PRIVILEGES.readVolume]: ['catalog', 'schema', 'volume'],
  [PRIVILEGES.writeVolume]: ['catalog', 'schema', 'volume'],
  [PRIVILEGES.externalUseSchema]: ['catalog', 'schema'],
  [PRIVILEGES.externalUseLocation]: ['external_location'],
  [PRIVILEGES.readFiles]: ['external_location'],
  [PRIVILEGES.writeFiles]: ['external_location'],
  [PRIVILEGES.createExternalTable]: ['external_location'],
  [PRIVILEGES.createExternalVolume]: ['external_location'],
  [PRIVILEGES.allPrivileges]: ['catalog', 'schema', 'table', 'volume', 'external_location', 'storage_credential'],
  [PRIVILEGES.browse]: ['catalog', 'schema', 'table', 'volume'],
  [PRIVILEGES.alter]: ['catalog', 'schema', 'table'],
  [PRIVILEGES.drop]: ['catalog', 'schema', 'table'],
};

const UpdatePermissionsBody = codec(
  Type.Object({
    changes: Type.Array(
      Type.Object({
        principal: Type.String({ minLength: 1, maxLength: 256 }),
        add: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32 })),
        remove: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 32 })),
      }),
      { minItems: 1, maxItems: 64 },
    ),
  }),
);
const UpdateMetastoreBody = codec(Type.Object({ external_access_enabled: Type.Optional(Type.Boolean()), name: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) }));
const CreatePrincipalBody = codec(
  Type.Object({
    name: Type.String({ minLength: 1, maxLength: 256, pattern: '^[^\\u0000-\\u001f]+$' }),
    type: Type.Union(PRINCIPAL_TYPES.map((t) => Type.Literal(t))),
  }),
);
const CreateTokenBody = codec(Type.Object({ lifetime_seconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 31_536_000 })), comment: Type.Optional(Type.String({ maxLength: 256 })) }));

const param = (req: AdminRequest, name: string): string => {
  const value = req.params[name];
  if (!value) throw new LakegateError('INVALID_ARGUMENT', `Missing parameter '${name}'.`);
  return value;
};

/** Runs one admin operation for an authenticated principal; throws catalog errors. */
export async function runAdminOperation(ctx: AdminContext, principal: string, req: AdminRequest): Promise<unknown> {
  if (req.operation.startsWith('Sharing')) return runSharingRead(ctx.view.state, principal, req);
  if (OBJECT_OPERATIONS.has(req.operation)) return runObjectAdmin(ctx, principal, req);
  if (req.operation.startsWith('Lf')) return runLakeFormationAdmin(ctx, principal, req);
  if (req.operation.startsWith('Glue')) return runGlueAdmin(ctx, principal, req);
  if (req.operation === 'CreateShare' || req.operation === 'GetShare' || req.operation === 'UpdateShare' || req.operation === 'CreateRecipient') {
    return runShareAdmin(ctx, principal, req);
  }
  const isAdmin = ctx.admins.has(principal);
  const state = ctx.view.state;
  switch (req.operation) {
    case 'GetMetastoreSummary': {
      const m = requireMetastore(state);
      return { metastore_id: m.metastore_id, name: m.name, region: m.region, cloud: m.cloud, external_access_enabled: m.external_access_enabled, aws_account_id: m.aws_account_id };
    }
    case 'UpdateMetastore': {
      if (!isAdmin) throw new LakegateError('PERMISSION_DENIED', `User '${principal}' is not a metastore admin.`);
      const body = UpdateMetastoreBody.check(req.body ?? {});
      const current = state.metastore;
      if (!current) throw new LakegateError('NOT_FOUND', 'No metastore is configured.');
      if (param(req, 'id') !== current.value.metastore_id) throw new LakegateError('NOT_FOUND', `Metastore '${param(req, 'id')}' does not exist.`);
      const updated = { ...current.value, ...body };
      const revision = await ctx.writer.put(CATALOG_KEYS.metastore, updated, current.revision);
      await ctx.view.waitFor(revision);
      return updated;
    }
    case 'GetPermissions': {
      const securable = securableOf(state, param(req, 'securable_type'), param(req, 'full_name'));
      const filter = req.params['principal'];
      if (!isAdmin && !ownsOrParentOwns(state, principal, securable) && filter !== principal) {
        throw new LakegateError('PERMISSION_DENIED', `User '${principal}' may only read its own permissions on ${securable.type} '${securable.name}'.`);
      }
      const assignments = state.grants.get(grantKey(securable.type, securable.name))?.value.privilege_assignments ?? [];
      return { privilege_assignments: filter ? assignments.filter((a) => a.principal === filter) : assignments };
    }
    case 'UpdatePermissions':
      return updatePermissions(ctx, principal, isAdmin, req);
    case 'CreatePrincipal': {
      if (!isAdmin) throw new LakegateError('PERMISSION_DENIED', `User '${principal}' is not a metastore admin.`);
      const body = CreatePrincipalBody.check(req.body);
      const created: Principal = { name: body.name, type: body.type };
      const revision = await ctx.writer.put(CATALOG_KEYS.principal(body.name), created, undefined);
      await ctx.view.waitFor(revision);
      return created;
    }
    case 'AddGroupMember':
    case 'RemoveGroupMember':
      return changeMembership(ctx, isAdmin, principal, param(req, 'group'), param(req, 'name'), req.operation === 'AddGroupMember');
    case 'CreateToken': {
      const owner = param(req, 'principal');
      if (!isAdmin && owner !== principal) throw new LakegateError('PERMISSION_DENIED', `User '${principal}' may only create its own tokens.`);
      if (!state.principals.has(owner)) throw new LakegateError('NOT_FOUND', `Principal '${owner}' does not exist.`);
      const body = CreateTokenBody.check(req.body ?? {});
      const token = `lgt_${randomBytes(32).toString('base64url')}`;
      const now = ctx.clock();
      const record: TokenRecord = {
        token_id: randomUUID(),
        principal: owner,
        token_sha256: createHash('sha256').update(token).digest('hex'),
        created_at: now,
        ...(body.lifetime_seconds ? { expires_at: now + body.lifetime_seconds * 1000 } : {}),
      };
      const revision = await ctx.writer.put(CATALOG_KEYS.token(record.token_sha256), record, undefined);
      await ctx.view.waitFor(revision);
      // The token is shown once, here; only its SHA-256 is stored.
      return { token_id: record.token_id, token, principal: owner, created_at: now, ...(record.expires_at ? { expires_at: record.expires_at } : {}) };
    }
    case 'RevokeToken': {
      const owner = param(req, 'principal');
      const tokenId = param(req, 'token_id');
      if (!isAdmin && owner !== principal) throw new LakegateError('PERMISSION_DENIED', `User '${principal}' may only revoke its own tokens.`);
      const entry = [...state.tokens.values()].find((t) => t.value.token_id === tokenId && t.value.principal === owner);
      if (!entry) throw new LakegateError('NOT_FOUND', `Token '${tokenId}' of '${owner}' does not exist.`);
      const revision = await ctx.writer.put(CATALOG_KEYS.token(entry.value.token_sha256), { ...entry.value, revoked: true }, entry.revision);
      await ctx.view.waitFor(revision);
      return { token_id: tokenId, revoked: true };
    }
    case 'CreateAccessKey': {
      const owner = param(req, 'principal');
      if (!isAdmin && owner !== principal) throw new LakegateError('PERMISSION_DENIED', `User '${principal}' may only create its own access keys.`);
      if (!state.principals.has(owner)) throw new LakegateError('NOT_FOUND', `Principal '${owner}' does not exist.`);
      const { duration_seconds: duration } = CreateAccessKeyBody.check(req.body ?? {});
      const created = await issueAccessKey(ctx, owner, undefined, duration);
      // The secret (and session token) is shown once, here; the catalog keeps it sealed (and hashed).
      return {
        accessKeyId: created.accessKeyId,
        secretAccessKey: created.secretAccessKey,
        ...(created.sessionToken ? { sessionToken: created.sessionToken, expiration: new Date(created.expiresAt ?? 0).toISOString() } : {}),
        principal: owner,
      };
    }
    case 'RevokeAccessKey': {
      const owner = param(req, 'principal');
      const id = param(req, 'access_key_id');
      if (!isAdmin && owner !== principal) throw new LakegateError('PERMISSION_DENIED', `User '${principal}' may only revoke its own access keys.`);
      const entry = state.accessKeys.get(id);
      if (!entry || entry.value.principal !== owner) throw new LakegateError('NOT_FOUND', `Access key '${id}' of '${owner}' does not exist.`);
      await ctx.view.waitFor(await ctx.writer.put(CATALOG_KEYS.accessKey(id), { ...entry.value, revoked: true }, entry.revision));
      return { accessKeyId: id, revoked: true };
    }
    case 'ApplyCatalog': {
      if (!isAdmin) throw new LakegateError('PERMISSION_DENIED', `User '${principal}' is not a metastore admin.`);
      const body = (req.body ?? {}) as { catalog?: unknown; dry_run?: unknown };
      const seed = catalogSeedCodec.check(Value.Default(catalogSeedCodec.schema, structuredClone(body.catalog ?? null)));
      const plan = planSeed(state, seed, ctx.clock());
      const summary = plan.map(({ action, kind, name }) => ({ action, kind, name }));
      if (body.dry_run === true) return { plan: summary, applied: false, written: 0 };
      const { written, lastRevision } = await applyPlan(ctx.writer, plan);
      if (lastRevision) await ctx.view.waitFor(lastRevision);
      return { plan: summary, applied: true, written };
    }
    case 'ExportCatalog': {
      if (!isAdmin) throw new LakegateError('PERMISSION_DENIED', `User '${principal}' is not a metastore admin.`);
      return exportSeed(state);
    }
    default:
      throw new LakegateError('NOT_IMPLEMENTED', `Operation ${req.operation} is not implemented.`);
  }
}

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A new access key (`LKIA` + 16 characters) with a 40-character secret, stored sealed. */
export async function issueAccessKey(
  ctx: Pick<AdminContext, 'writer' | 'view' | 'accessKeySealKey' | 'clock'>,
  principal: string,
  given?: { accessKeyId: string; secretAccessKey: string },
  sessionSeconds?: number,
): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiresAt?: number }> {
  if (!ctx.accessKeySealKey) throw new LakegateError('FAILED_PRECONDITION', 'Access keys are not enabled: the catalog has no sealing key (LAKEGATE_ACCESS_KEY_SEAL_KEY_FILE).');
  const prefix = sessionSeconds === undefined ? 'LKIA' : 'LSIA';
  const accessKeyId = given?.accessKeyId ?? `${prefix}${[...randomBytes(16)].map((b) => KEY_ID_ALPHABET[b % 32]).join('')}`;
  const secretAccessKey = given?.secretAccessKey ?? randomBytes(30).toString('base64');
  const sessionToken = sessionSeconds === undefined ? undefined : `LKST${randomBytes(48).toString('base64url')}`;
  const now = ctx.clock();
  const expiresAt = sessionSeconds === undefined ? undefined : now + sessionSeconds * 1000;
  const record: AccessKeyRecord = {
    access_key_id: accessKeyId,
    principal,
    secret_sealed: sealSecret(ctx.accessKeySealKey, secretAccessKey, accessKeyId),
    created_at: now,
    ...(sessionToken ? { session_token_sha256: createHash('sha256').update(sessionToken).digest('hex'), expires_at: expiresAt } : {}),
  };
  const revision = given ? await ctx.writer.upsert(CATALOG_KEYS.accessKey(accessKeyId), record) : await ctx.writer.put(CATALOG_KEYS.accessKey(accessKeyId), record, undefined);
  await ctx.view.waitFor(revision);
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken, expiresAt } : {}) };
}

/** `duration_seconds` asks for temporary credentials (access key, secret and session token), as STS's GetSessionToken. */
const CreateAccessKeyBody = codec(Type.Object({ duration_seconds: Type.Optional(Type.Integer({ minimum: 900, maximum: 129_600 })) }, { additionalProperties: false }));

function requireMetastore(state: CatalogState) {
  const m = state.metastore?.value;
  if (!m) throw new LakegateError('NOT_FOUND', 'No metastore is configured.');
  return m;
}

interface SecurableInfo {
  type: SecurableType;
  name: string;
  /** Owners of the securable and of its parents, nearest first. */
  owners: string[];
  catalogOwner: string | undefined;
}

function securableOf(state: CatalogState, rawType: string, name: string): SecurableInfo {
  const type = rawType.toLowerCase() as SecurableType;
  if (!(SECURABLE_TYPES as readonly string[]).includes(type)) {
    throw new LakegateError('INVALID_ARGUMENT', `Unknown securable type '${rawType}' (one of ${SECURABLE_TYPES.join(', ')}).`);
  }
  const parts = name.split('.');
  const catalogOwner = state.catalogs.get(parts[0] ?? '')?.value.owner;
  const schemaOwner = parts.length >= 2 ? state.schemas.get(`${parts[0]}.${parts[1]}`)?.value.owner : undefined;
  const missing = () => new LakegateError('NOT_FOUND', `${type} '${name}' does not exist.`);
  const owners = (own: string | undefined, ...parents: (string | undefined)[]) => [own, ...parents].filter((o): o is string => o !== undefined);
  switch (type) {
    case 'metastore':
      requireMetastore(state);
      return { type, name, owners: [], catalogOwner: undefined };
    case 'catalog':
      if (!state.catalogs.has(name)) throw missing();
      return { type, name, owners: owners(catalogOwner), catalogOwner };
    case 'schema':
      if (parts.length !== 2 || !state.schemas.has(name)) throw missing();
      return { type, name, owners: owners(schemaOwner, catalogOwner), catalogOwner };
    case 'table': {
      const id = state.tableIdsByName.get(name);
      const table = id ? state.tables.get(id)?.value : undefined;
      if (!table) throw missing();
      return { type, name, owners: owners(table.owner, schemaOwner, catalogOwner), catalogOwner };
    }
    case 'volume': {
      const id = state.volumeIdsByName.get(name);
      const volume = id ? state.volumes.get(id)?.value : undefined;
      if (!volume) throw missing();
      return { type, name, owners: owners(volume.owner, schemaOwner, catalogOwner), catalogOwner };
    }
    case 'external_location': {
      const location = state.locations.get(name)?.value;
      if (!location) throw missing();
      return { type, name, owners: [location.owner], catalogOwner: undefined };
    }
    case 'storage_credential': {
      const credential = state.credentials.get(name)?.value;
      if (!credential) throw missing();
      return { type, name, owners: [credential.owner], catalogOwner: undefined };
    }
    case 'share': {
      const share = state.shares.get(name.toLowerCase())?.value;
      if (!share) throw missing();
      return { type, name: share.name, owners: [share.owner], catalogOwner: undefined };
    }
    case 'data_cells_filter': {
      const slash = name.lastIndexOf('/');
      const tableName = name.slice(0, slash);
      const filter = slash > 0 ? state.cellsFilters.get(tableName)?.get(name.slice(slash + 1))?.value : undefined;
      if (!filter) throw missing();
      const tableId = state.tableIdsByName.get(tableName);
      return { type, name, owners: owners(filter.owner, tableId ? state.tables.get(tableId)?.value.owner : undefined, schemaOwner, catalogOwner), catalogOwner };
    }
  }
}

function ownsOrParentOwns(state: CatalogState, principal: string, securable: SecurableInfo): boolean {
  return securable.owners.includes(principal) || securable.owners.some((o) => state.principals.get(principal)?.value.member_of?.includes(o));
}

async function updatePermissions(ctx: AdminContext, principal: string, isAdmin: boolean, req: AdminRequest): Promise<unknown> {
  const body = UpdatePermissionsBody.check(req.body);
  const securable = securableOf(ctx.view.state, param(req, 'securable_type'), param(req, 'full_name'));
  const canManage = isAdmin || ownsOrParentOwns(ctx.view.state, principal, securable);
  for (const change of body.changes) {
    for (const raw of [...(change.add ?? []), ...(change.remove ?? [])]) {
      const p = canonicalPrivilege(raw);
      if (!p) throw new LakegateError('INVALID_ARGUMENT', `Unknown privilege '${raw}'.`);
      if (!APPLIES_TO[p].includes(securable.type)) throw new LakegateError('INVALID_ARGUMENT', `${p} cannot be granted on a ${securable.type}.`);
      if (p === PRIVILEGES.externalUseSchema && securable.catalogOwner !== principal) {
        throw new LakegateError('PERMISSION_DENIED', `Only the owner of catalog '${securable.name.split('.')[0]}' may grant or revoke EXTERNAL USE SCHEMA.`);
      }
      if (p === PRIVILEGES.externalUseLocation && securable.owners[0] !== principal) {
        throw new LakegateError('PERMISSION_DENIED', `Only the owner of external location '${securable.name}' may grant or revoke EXTERNAL USE LOCATION.`);
      }
      if (!canManage && p !== PRIVILEGES.externalUseSchema && p !== PRIVILEGES.externalUseLocation) {
        throw new LakegateError('PERMISSION_DENIED', `User '${principal}' may not manage privileges on ${securable.type} '${securable.name}'.`);
      }
    }
    if (!ctx.view.state.principals.has(change.principal) && change.principal !== 'account users') {
      throw new LakegateError('INVALID_ARGUMENT', `Principal '${change.principal}' does not exist.`);
    }
  }
  // The changes are deltas: on a concurrent update, re-apply them to the newer list (no lost update).
  // Within this process, updates of one grant list queue behind each other; across replicas, a
  // lost race is retried against the newer revision.
  const key = CATALOG_KEYS.grants(securable.type, securable.name);
  return withKeyLock(key, () => writeGrantChanges(ctx, key, securable, body.changes));
}

async function writeGrantChanges(
  ctx: AdminContext,
  key: string,
  securable: SecurableInfo,
  changes: { principal: string; add?: string[]; remove?: string[] }[],
): Promise<unknown> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = await ctx.writer.get(key);
    const list = (current?.value as GrantList | undefined)?.privilege_assignments ?? [];
    const next = applyChanges(list, changes);
    const value: GrantList = { securable_type: securable.type, securable_name: securable.name, privilege_assignments: next };
    try {
      const revision = await ctx.writer.put(key, value, current?.revision);
      await ctx.view.waitFor(revision);
      return { privilege_assignments: next };
    } catch (error) {
      const code = (error as LakegateError).code;
      if (code !== 'CONFLICT' && code !== 'ALREADY_EXISTS') throw error;
      // another replica won: wait a little (jittered) and apply the changes to its result
      await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
    }
  }
  throw new LakegateError('CONFLICT', 'The permissions changed concurrently too often; retry.');
}

function applyChanges(list: GrantList['privilege_assignments'], changes: { principal: string; add?: string[]; remove?: string[] }[]) {
  const byPrincipal = new Map(list.map((a) => [a.principal, new Set(a.privileges.map((p) => canonicalPrivilege(p) ?? p))]));
  for (const change of changes) {
    const set = byPrincipal.get(change.principal) ?? new Set<string>();
    for (const p of change.add ?? []) set.add(canonicalPrivilege(p)!);
    for (const p of change.remove ?? []) set.delete(canonicalPrivilege(p)!);
    byPrincipal.set(change.principal, set);
  }
  return [...byPrincipal].filter(([, s]) => s.size > 0).map(([principal, s]) => ({ principal, privileges: [...s].sort() }));
}

async function changeMembership(ctx: AdminContext, isAdmin: boolean, caller: string, group: string, member: string, add: boolean): Promise<unknown> {
  if (!isAdmin) throw new LakegateError('PERMISSION_DENIED', `User '${caller}' is not a metastore admin.`);
  const state = ctx.view.state;
  if (state.principals.get(group)?.value.type !== 'GROUP') throw new LakegateError('NOT_FOUND', `Group '${group}' does not exist.`);
  const current = state.principals.get(member);
  if (!current) throw new LakegateError('NOT_FOUND', `Principal '${member}' does not exist.`);
  if (add && (member === group || groupContains(state, member, group))) throw new LakegateError('INVALID_ARGUMENT', `Adding '${member}' to '${group}' would make a membership cycle.`);
  const memberOf = new Set(current.value.member_of ?? []);
  if (add) memberOf.add(group);
  else memberOf.delete(group);
  const updated: Principal = { ...current.value, member_of: [...memberOf].sort() };
  const revision = await ctx.writer.put(CATALOG_KEYS.principal(member), updated, current.revision);
  await ctx.view.waitFor(revision);
  return updated;
}

/** True when `group` is (transitively) a member of `candidate`. */
function groupContains(state: CatalogState, candidate: string, group: string): boolean {
  const stack = [group];
  const seen = new Set<string>();
  while (stack.length) {
    const g = stack.pop()!;
    if (g === candidate) return true;
    if (seen.has(g)) continue;
    seen.add(g);
    stack.push(...(state.principals.get(g)?.value.member_of ?? []));
  }
  return false;
}
