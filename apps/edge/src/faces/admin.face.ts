import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CODECS, HEADERS, LakegateError, SUBJECTS, toLakegateError, type AdminOperation } from '@lakegate/contracts';
import { requestTyped } from '@lakegate/platform-nats';
import { assertIdentity, type AssertedIdentity } from '@lakegate/trust';
import type { RouteDoc } from '../openapi.js';
import { authenticateBearer } from '../authenticate.js';
import { auditEdgeFailure } from '../edge-audit.js';
import type { EdgeContext } from '../edge-context.js';
import { traced } from '../traced.js';
import { sendUcError, UC_PREFIXES } from './unity-catalog.face.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How long an admin call waits for the edge's catalog view to hold its change. */
const CATCH_UP_MS = 2_000;

export interface CatalogRouteOptions {
  /** Query parameters passed on to the operation. */
  queryParams?: string[];
  /** Parameters fixed by the route (e.g. the securable type). */
  fixedParams?: Record<string, string>;
  /** Renames of path parameters (route name → operation name). */
  renameParams?: Record<string, string>;
  /** Pass the public base URL of this request as the `endpoint` parameter, with this suffix. */
  endpointSuffix?: string;
  /** The face's error shape; Unity Catalog's by default. */
  sendError?: (reply: FastifyReply, error: LakegateError) => FastifyReply;
  /** Writes the result; JSON by default. */
  respond?: (reply: FastifyReply, result: unknown) => FastifyReply;
  /** How the caller authenticates; a bearer token by default. */
  authenticate?: (ctx: EdgeContext, request: FastifyRequest) => Promise<AssertedIdentity>;
  /** Extra route config for the OpenAPI document. */
  openapi?: RouteDoc;
}

/**
 * One catalog route: authenticate, assert the caller to the catalog service, forward the operation,
 * and answer in the face's shape. The catalog service decides and audits.
 */
export function catalogRoute(app: FastifyInstance, ctx: EdgeContext, method: Method, path: string, operation: AdminOperation, options: CatalogRouteOptions = {}): void {
  app.route({
    method,
    url: path,
    config: { operation, ...(options.openapi ? { openapi: options.openapi } : {}) },
    handler: traced(operation, async (request: FastifyRequest, reply) => forwardToCatalog(ctx, request, reply, () => operation, options)),
  });
}

/**
 * Forwards one request to the catalog service as `operation` (which may depend on the request, as
 * Glue's `X-Amz-Target` does, and may throw to refuse it). What the edge refuses itself, it audits.
 */
export async function forwardToCatalog(
  ctx: EdgeContext,
  request: FastifyRequest,
  reply: FastifyReply,
  operationOf: (request: FastifyRequest) => AdminOperation,
  options: CatalogRouteOptions = {},
): Promise<FastifyReply> {
  const sendError = options.sendError ?? sendUcError;
  let forwarded = false;
  let identity: AssertedIdentity | undefined;
  let eventName = (request.routeOptions.config as { operation?: string } | undefined)?.operation ?? 'Unknown';
  try {
    identity = await (options.authenticate ?? authenticateBearer)(ctx, request);
    const operation = operationOf(request);
    eventName = operation;
    const params: Record<string, string> = { ...options.fixedParams };
    for (const [k, v] of Object.entries(request.params as Record<string, string>)) params[options.renameParams?.[k] ?? k] = v;
    const query = (request.query ?? {}) as Record<string, unknown>;
    for (const q of options.queryParams ?? []) if (typeof query[q] === 'string') params[q] = query[q] as string;
    if (options.endpointSuffix !== undefined) params['endpoint'] = `${request.protocol}://${request.host}${options.endpointSuffix}`;
    for (const [k, v] of Object.entries(params)) {
      if (v.length > 1024) throw new LakegateError('INVALID_ARGUMENT', `Parameter '${k}' is too long.`);
    }
    const userAgent = request.headers['user-agent'];
    const message = assertIdentity(
      ctx.assertionKeys.catalog,
      identity,
      {
        requestId: request.id,
        operation,
        params,
        ...(request.body !== undefined && request.body !== null ? { body: request.body } : {}),
        source: { ip: request.ip, ...(userAgent ? { userAgent: userAgent.slice(0, 1024) } : {}) },
      },
      ctx.clock(),
    );
    forwarded = true;
    const result = await requestTyped(ctx.nc, SUBJECTS.catalogAdmin, CODECS.adminRequest.encode(message), CODECS.adminReply, {
      timeoutMs: ctx.vendTimeoutMs,
      headers: { [HEADERS.requestId]: request.id },
    });
    if (!result.ok) throw LakegateError.fromBody(result.error as never);
    if (result.revision !== undefined) {
      // Read-your-writes: once this call returns, this edge (and authz, through the vends' catalogRevision) decides with the change.
      await ctx.view.waitFor(result.revision, CATCH_UP_MS).catch(() => ctx.logger.warn({ revision: result.revision, at: ctx.view.revision }, 'catalog view behind an admin change'));
    }
    return options.respond ? options.respond(reply, result.result) : reply.send(result.result ?? {});
  } catch (thrown) {
    const error = toLakegateError(thrown);
    // The catalog service audits what reaches it; what the edge refused itself, the edge audits.
    if (!forwarded) {
      try {
        await auditEdgeFailure(ctx, request, { eventName: eventName.replace(/^(Lf|Glue)(?=[A-Z])/, ''), error, identity, readOnly: request.method === 'GET', requestParameters: null });
      } catch (auditError) {
        return sendError(reply, toLakegateError(auditError));
      }
    }
    return sendError(reply, error);
  }
}

/** The admin API: Unity Catalog's metastore and permissions routes, and lakegate's principals and tokens. */
export function registerAdminFace(app: FastifyInstance, ctx: EdgeContext): void {
  const adminRoute = (method: Method, path: string, operation: AdminOperation, options?: CatalogRouteOptions) => catalogRoute(app, ctx, method, path, operation, options);
  for (const prefix of UC_PREFIXES) {
    adminRoute('GET', `${prefix}/metastore_summary`, 'GetMetastoreSummary');
    adminRoute('PATCH', `${prefix}/metastores/:id`, 'UpdateMetastore');
    adminRoute('GET', `${prefix}/permissions/:securable_type/:full_name`, 'GetPermissions', { queryParams: ['principal'] });
    adminRoute('PATCH', `${prefix}/permissions/:securable_type/:full_name`, 'UpdatePermissions');
    adminRoute('POST', `${prefix}/shares`, 'CreateShare');
    adminRoute('GET', `${prefix}/shares/:name`, 'GetShare');
    adminRoute('PATCH', `${prefix}/shares/:name`, 'UpdateShare');
    adminRoute('GET', `${prefix}/shares/:name/permissions`, 'GetPermissions', { fixedParams: { securable_type: 'share' }, renameParams: { name: 'full_name' } });
    adminRoute('PATCH', `${prefix}/shares/:name/permissions`, 'UpdatePermissions', { fixedParams: { securable_type: 'share' }, renameParams: { name: 'full_name' } });
    adminRoute('POST', `${prefix}/recipients`, 'CreateRecipient', { endpointSuffix: '/delta-sharing' });
    const list = { queryParams: ['catalog_name', 'schema_name', 'max_results', 'page_token'] };
    adminRoute('POST', `${prefix}/catalogs`, 'CreateCatalog');
    adminRoute('GET', `${prefix}/catalogs`, 'ListCatalogs', list);
    adminRoute('GET', `${prefix}/catalogs/:name`, 'GetCatalog');
    adminRoute('PATCH', `${prefix}/catalogs/:name`, 'UpdateCatalog');
    adminRoute('DELETE', `${prefix}/catalogs/:name`, 'DeleteCatalog');
    adminRoute('POST', `${prefix}/schemas`, 'CreateSchema');
    adminRoute('GET', `${prefix}/schemas`, 'ListSchemas', list);
    adminRoute('GET', `${prefix}/schemas/:full_name`, 'GetSchema');
    adminRoute('PATCH', `${prefix}/schemas/:full_name`, 'UpdateSchema');
    adminRoute('DELETE', `${prefix}/schemas/:full_name`, 'DeleteSchema');
    adminRoute('POST', `${prefix}/tables`, 'CreateTable');
    adminRoute('GET', `${prefix}/tables`, 'ListTables', list);
    adminRoute('DELETE', `${prefix}/tables/:full_name`, 'DeleteTable');
    adminRoute('POST', `${prefix}/volumes`, 'CreateVolume');
    adminRoute('GET', `${prefix}/volumes`, 'ListVolumes', list);
    adminRoute('PATCH', `${prefix}/volumes/:full_name`, 'UpdateVolume');
    adminRoute('DELETE', `${prefix}/volumes/:full_name`, 'DeleteVolume');
    for (const path of ['credentials', 'storage-credentials']) {
      adminRoute('POST', `${prefix}/${path}`, 'CreateStorageCredential');
      adminRoute('GET', `${prefix}/${path}`, 'ListStorageCredentials');
      adminRoute('GET', `${prefix}/${path}/:name`, 'GetStorageCredential');
      adminRoute('DELETE', `${prefix}/${path}/:name`, 'DeleteStorageCredential');
    }
    adminRoute('POST', `${prefix}/external-locations`, 'CreateExternalLocation');
    adminRoute('GET', `${prefix}/external-locations`, 'ListExternalLocations');
    adminRoute('GET', `${prefix}/external-locations/:name`, 'GetExternalLocation');
    adminRoute('DELETE', `${prefix}/external-locations/:name`, 'DeleteExternalLocation');
  }
  adminRoute('POST', '/api/v1/principals', 'CreatePrincipal');
  adminRoute('PUT', '/api/v1/groups/:group/members/:name', 'AddGroupMember');
  adminRoute('DELETE', '/api/v1/groups/:group/members/:name', 'RemoveGroupMember');
  adminRoute('POST', '/api/v1/principals/:principal/tokens', 'CreateToken');
  adminRoute('DELETE', '/api/v1/principals/:principal/tokens/:token_id', 'RevokeToken');
  adminRoute('POST', '/api/v1/principals/:principal/access-keys', 'CreateAccessKey');
  adminRoute('POST', '/api/v1/catalog/apply', 'ApplyCatalog');
  adminRoute('GET', '/api/v1/catalog/export', 'ExportCatalog');
  adminRoute('DELETE', '/api/v1/principals/:principal/access-keys/:access_key_id', 'RevokeAccessKey');
}
