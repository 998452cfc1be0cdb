import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { CATALOG_KEYS, LakegateError, codec, type AdminRequest, type ShareInfo, type TableInfo, type TokenRecord } from '@lakegate/contracts';
import { sharedTable, sharesVisibleTo, visibleShare, type CatalogState } from '@lakegate/domain';
import type { AdminContext } from './catalog-admin.js';
import { stableId } from './catalog-seed.js';
import { withKeyLock } from './key-lock.js';

const NAME = Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' });
const CreateShareBody = codec(Type.Object({ name: NAME, comment: Type.Optional(Type.String({ maxLength: 1024 })) }));
const UpdateShareBody = codec(
  Type.Object({
    updates: Type.Array(
      Type.Object({
        action: Type.Union([Type.Literal('ADD'), Type.Literal('REMOVE')]),
        data_object: Type.Object({
          name: Type.String({ minLength: 5, maxLength: 1024 }),
          data_object_type: Type.Optional(Type.Literal('TABLE')),
          shared_as: Type.Optional(Type.String({ minLength: 3, maxLength: 512, pattern: '^[^.]+\\.[^.]+$' })),
          access_modes: Type.Optional(Type.Array(Type.Union([Type.Literal('url'), Type.Literal('dir')]), { minItems: 1, maxItems: 2 })),
        }),
      }),
      { minItems: 1, maxItems: 100 },
    ),
  }),
);
const CreateRecipientBody = codec(
  Type.Object({ name: NAME, authentication_type: Type.Optional(Type.Literal('TOKEN')), comment: Type.Optional(Type.String({ maxLength: 1024 })), token_lifetime_seconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 31_536_000 })) }),
);

const shareOut = (share: ShareInfo) => ({ ...share, id: stableId('share', share.name.toLowerCase()) });

/** Shares and recipients, in Databricks' shapes; metastore admins and share owners. */
export async function runShareAdmin(ctx: AdminContext, principal: string, req: AdminRequest): Promise<unknown> {
  const state = ctx.view.state;
  const isAdmin = ctx.admins.has(principal);
  switch (req.operation) {
    case 'CreateShare': {
      if (!isAdmin) throw new LakegateError('PERMISSION_DENIED', `User '${principal}' is not a metastore admin.`);
      const body = CreateShareBody.check(req.body);
      const share: ShareInfo = { name: body.name, owner: principal, created_at: ctx.clock(), objects: [], ...(body.comment ? { comment: body.comment } : {}) };
      await ctx.view.waitFor(await ctx.writer.put(CATALOG_KEYS.share(body.name), share, undefined));
      return shareOut(share);
    }
    case 'GetShare': {
      const share = state.shares.get((req.params['name'] ?? '').toLowerCase());
      if (!share || (!isAdmin && share.value.owner !== principal)) throw new LakegateError('NOT_FOUND', `Share '${req.params['name']}' does not exist.`);
      return shareOut(share.value);
    }
    case 'UpdateShare': {
      const body = UpdateShareBody.check(req.body);
      return withKeyLock(CATALOG_KEYS.share(req.params['name'] ?? ''), () => updateShare(ctx, principal, isAdmin, req, body));
    }
    case 'CreateRecipient': {
      if (!isAdmin) throw new LakegateError('PERMISSION_DENIED', `User '${principal}' is not a metastore admin.`);
      const body = CreateRecipientBody.check(req.body);
      await ctx.writer.put(CATALOG_KEYS.principal(body.name), { name: body.name, type: 'RECIPIENT' }, undefined);
      const token = `lgr_${randomBytes(32).toString('base64url')}`;
      const now = ctx.clock();
      const expiresAt = now + (body.token_lifetime_seconds ?? 30 * 24 * 3600) * 1000;
      const record: TokenRecord = { token_id: randomUUID(), principal: body.name, token_sha256: createHash('sha256').update(token).digest('hex'), created_at: now, expires_at: expiresAt };
      await ctx.view.waitFor(await ctx.writer.put(CATALOG_KEYS.token(record.token_sha256), record, undefined));
      const endpoint = req.params['endpoint'] ?? '';
      // The profile holds the bearer token: shown once, here, never stored or audited.
      return {
        name: body.name,
        authentication_type: 'TOKEN',
        tokens: [{ id: record.token_id, created_at: now, expiration_time: expiresAt }],
        profile: { shareCredentialsVersion: 1, endpoint, bearerToken: token, expirationTime: new Date(expiresAt).toISOString() },
      };
    }
    default:
      throw new LakegateError('NOT_IMPLEMENTED', `Operation ${req.operation} is not implemented.`);
  }
}


async function updateShare(ctx: AdminContext, principal: string, isAdmin: boolean, req: AdminRequest, body: ReturnType<typeof UpdateShareBody.check>): Promise<unknown> {
  for (let attempt = 0; attempt < 6; attempt++) {
    const current = ctx.view.state.shares.get((req.params['name'] ?? '').toLowerCase());
    if (!current) throw new LakegateError('NOT_FOUND', `Share '${req.params['name']}' does not exist.`);
    if (!isAdmin && current.value.owner !== principal) throw new LakegateError('PERMISSION_DENIED', `User '${principal}' does not own share '${current.value.name}'.`);
    const objects = [...current.value.objects];
    for (const update of body.updates) {
      const object = update.data_object;
      const index = objects.findIndex((o) => o.name === object.name);
      if (update.action === 'REMOVE') {
        if (index < 0) throw new LakegateError('NOT_FOUND', `Table '${object.name}' is not in share '${current.value.name}'.`);
        objects.splice(index, 1);
        continue;
      }
      if (!ctx.view.state.tableIdsByName.has(object.name)) throw new LakegateError('NOT_FOUND', `Table '${object.name}' does not exist.`);
      const [, schema, table] = object.name.split('.');
      const sharedAs = object.shared_as ?? `${schema}.${table}`;
      if (objects.some((o, i) => i !== index && o.shared_as.toLowerCase() === sharedAs.toLowerCase())) {
        throw new LakegateError('ALREADY_EXISTS', `Share '${current.value.name}' already has a table shared as '${sharedAs}'.`);
      }
      const entry = { name: object.name, data_object_type: 'TABLE' as const, shared_as: sharedAs, access_modes: object.access_modes ?? ['dir' as const] };
      if (index >= 0) objects[index] = entry;
      else objects.push(entry);
    }
    const updated: ShareInfo = { ...current.value, objects };
    try {
      await ctx.view.waitFor(await ctx.writer.put(CATALOG_KEYS.share(updated.name), updated, current.revision));
      return shareOut(updated);
    } catch (error) {
      if ((error as LakegateError).code !== 'CONFLICT') throw error;
      await ctx.view.waitFor(ctx.view.revision + 1, 1_000).catch(() => undefined);
    }
  }
  throw new LakegateError('CONFLICT', 'The share changed concurrently too often; retry.');
}

/** Offset page tokens, validated (a bad token is the client's mistake, never a 500). */
function page<T>(items: T[], req: AdminRequest): { items: T[]; nextPageToken?: string } {
  const raw = req.params['maxResults'];
  const max = raw === undefined ? 500 : Number(raw);
  if (!Number.isInteger(max) || max < 1 || max > 1000) throw new LakegateError('INVALID_ARGUMENT', 'maxResults must be an integer from 1 to 1000.');
  let offset = 0;
  const token = req.params['pageToken'];
  if (token) {
    const match = /^o(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!match) throw new LakegateError('INVALID_ARGUMENT', 'pageToken is not valid.');
    offset = Number(match[1]);
  }
  const slice = items.slice(offset, offset + max);
  return offset + max < items.length ? { items: slice, nextPageToken: Buffer.from(`o${offset + max}`).toString('base64url') } : { items: slice };
}

const schemasOf = (share: ShareInfo) => [...new Set(share.objects.map((o) => o.shared_as.split('.')[0]!))].sort();

/** The Delta Sharing protocol's reads, for recipients. */
export function runSharingRead(state: CatalogState, principal: string, req: AdminRequest): unknown {
  const shareOf = () => {
    const share = visibleShare(state, principal, req.params['share'] ?? '');
    if (share instanceof LakegateError) throw share;
    return share;
  };
  const tableItem = (share: ShareInfo, o: ShareInfo['objects'][number]) => {
    const [schema, name] = o.shared_as.split('.');
    return { name, schema, share: share.name, shareId: stableId('share', share.name.toLowerCase()), id: stableId('table', o.name) };
  };
  switch (req.operation) {
    case 'SharingListShares':
      return page(sharesVisibleTo(state, principal).map((s) => ({ name: s.name, id: stableId('share', s.name.toLowerCase()) })), req);
    case 'SharingGetShare': {
      const share = shareOf();
      return { share: { name: share.name, id: stableId('share', share.name.toLowerCase()) } };
    }
    case 'SharingListSchemas': {
      const share = shareOf();
      return page(schemasOf(share).map((name) => ({ name, share: share.name })), req);
    }
    case 'SharingListTables': {
      const share = shareOf();
      const schema = (req.params['schema'] ?? '').toLowerCase();
      if (!schemasOf(share).some((s) => s.toLowerCase() === schema)) throw new LakegateError('NOT_FOUND', `Schema '${req.params['schema']}' does not exist in share '${share.name}'.`);
      return page(share.objects.filter((o) => o.shared_as.split('.')[0]!.toLowerCase() === schema).map((o) => tableItem(share, o)), req);
    }
    case 'SharingListAllTables': {
      const share = shareOf();
      return page(share.objects.map((o) => tableItem(share, o)), req);
    }
    case 'SharingGetTableMetadata': {
      const share = shareOf();
      const found = sharedTable(state, share, req.params['schema'] ?? '', req.params['table'] ?? '');
      if (found instanceof LakegateError) throw found;
      return tableMetadata(found.table, found.object.access_modes);
    }
    default:
      throw new LakegateError('NOT_IMPLEMENTED', `Operation ${req.operation} is not implemented.`);
  }
}

const DELTA_TYPES: Record<string, string> = { LONG: 'long', INT: 'integer', STRING: 'string', DOUBLE: 'double', FLOAT: 'float', BOOLEAN: 'boolean', DATE: 'date', TIMESTAMP: 'timestamp', SHORT: 'short', BYTE: 'byte', BINARY: 'binary' };

/** The protocol and metaData lines of `…/metadata`, built from the catalog's columns. */
function tableMetadata(table: TableInfo, accessModes: readonly string[]) {
  const columns = table.columns ?? [];
  const schemaString = JSON.stringify({
    type: 'struct',
    fields: columns.map((c) => ({ name: c.name, type: DELTA_TYPES[c.type_name.toUpperCase()] ?? c.type_name.toLowerCase(), nullable: true, metadata: {} })),
  });
  const partitionColumns = columns.filter((c) => c.partition_index !== undefined).sort((a, b) => a.partition_index! - b.partition_index!).map((c) => c.name);
  return {
    protocol: { minReaderVersion: 1 },
    metaData: {
      id: stableId('table', table.full_name),
      format: { provider: 'parquet' },
      schemaString,
      partitionColumns,
      configuration: {},
      location: table.storage_location,
      auxiliaryLocations: table.auxiliary_locations ?? [],
      accessModes: [...accessModes],
    },
  };
}
