import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CODECS, HEADERS, LakegateError, SUBJECTS, toLakegateError, type AdminOperation } from '@lakegate/contracts';
import { requestTyped } from '@lakegate/platform-nats';
import { assertIdentity } from '@lakegate/trust';
import { authenticateBearer } from '../authenticate.js';
import type { EdgeContext } from '../edge-context.js';
import { traced } from '../traced.js';
import { sendUcError, UC_PREFIXES } from './unity-catalog.face.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One admin route: authenticate, assert the caller to the catalog service, forward, answer in UC's shape. */
function adminRoute(app: FastifyInstance, ctx: EdgeContext, method: Method, path: string, operation: AdminOperation, queryParams: string[] = []): void {
  app.route({
    method,
    url: path,
    config: { operation },
    handler: traced(operation, async (request: FastifyRequest, reply) => {
      try {
        const identity = authenticateBearer(ctx, request);
        const params: Record<string, string> = { ...(request.params as Record<string, string>) };
        const query = (request.query ?? {}) as Record<string, unknown>;
        for (const q of queryParams) if (typeof query[q] === 'string') params[q] = query[q] as string;
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
        const result = await requestTyped(ctx.nc, SUBJECTS.catalogAdmin, CODECS.adminRequest.encode(message), CODECS.adminReply, {
          timeoutMs: ctx.vendTimeoutMs,
          headers: { [HEADERS.requestId]: request.id },
        });
        if (!result.ok) throw LakegateError.fromBody(result.error as never);
        return reply.send(result.result ?? {});
      } catch (thrown) {
        return sendUcError(reply, toLakegateError(thrown));
      }
    }),
  });
}

/** The admin API: Unity Catalog's metastore and permissions routes, and lakegate's principals and tokens. */
export function registerAdminFace(app: FastifyInstance, ctx: EdgeContext): void {
  for (const prefix of UC_PREFIXES) {
    adminRoute(app, ctx, 'GET', `${prefix}/metastore_summary`, 'GetMetastoreSummary');
    adminRoute(app, ctx, 'PATCH', `${prefix}/metastores/:id`, 'UpdateMetastore');
    adminRoute(app, ctx, 'GET', `${prefix}/permissions/:securable_type/:full_name`, 'GetPermissions', ['principal']);
    adminRoute(app, ctx, 'PATCH', `${prefix}/permissions/:securable_type/:full_name`, 'UpdatePermissions');
  }
  adminRoute(app, ctx, 'POST', '/api/v1/principals', 'CreatePrincipal');
  adminRoute(app, ctx, 'PUT', '/api/v1/groups/:group/members/:name', 'AddGroupMember');
  adminRoute(app, ctx, 'DELETE', '/api/v1/groups/:group/members/:name', 'RemoveGroupMember');
  adminRoute(app, ctx, 'POST', '/api/v1/principals/:principal/tokens', 'CreateToken');
  adminRoute(app, ctx, 'DELETE', '/api/v1/principals/:principal/tokens/:token_id', 'RevokeToken');
}
