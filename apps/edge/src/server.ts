import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { LakegateError, SUBJECTS, toLakegateError } from '@lakegate/contracts';
import { pingServices } from '@lakegate/platform-nats';
import { auditEdgeFailure } from './edge-audit.js';
import type { EdgeContext } from './edge-context.js';
import { registerAdminFace } from './faces/admin.face.js';
import { registerExplainFace } from './faces/explain.face.js';
import { collectOpenApi, renderDocs } from './openapi.js';
import { LAKE_FORMATION_OPERATIONS, registerLakeFormationFace, sendLakeFormationError } from './faces/lake-formation.face.js';
import { DELTA_SHARING_PREFIX, registerDeltaSharingFace, sendDeltaSharingError } from './faces/delta-sharing.face.js';
import { ICEBERG_PREFIX, registerIcebergFace, sendIcebergError } from './faces/iceberg.face.js';
import { AUDIT_PREFIX, registerAuditLookupFace, sendCloudTrailError } from './faces/audit-lookup.face.js';
import { registerUnityCatalogFace, sendUcError } from './faces/unity-catalog.face.js';
import { isGlueRequest, registerGlueFace, sendGlueError } from './faces/glue.face.js';

/** The face a path belongs to decides the shape of its errors. */
function sendFaceError(request: FastifyRequest, reply: FastifyReply, error: LakegateError, httpStatus?: number): FastifyReply {
  if (request.url.startsWith(AUDIT_PREFIX)) return sendCloudTrailError(reply, error, httpStatus);
  if (request.url.startsWith(`${ICEBERG_PREFIX}/`)) return sendIcebergError(reply, error, httpStatus);
  if (request.url.startsWith(`${DELTA_SHARING_PREFIX}/`)) return sendDeltaSharingError(reply, error, httpStatus);
  if (isGlueRequest(request)) return sendGlueError(reply, error, httpStatus);
  if (LAKE_FORMATION_OPERATIONS.some((op) => request.url === `/${op}` || request.url.startsWith(`/${op}?`))) return sendLakeFormationError(reply, error, httpStatus);
  return sendUcError(reply, error, httpStatus);
}

/** Framework-level client errors (bad JSON, wrong media type, body too large) as catalog errors. */
function clientError(error: FastifyError): LakegateError | undefined {
  const status = error.statusCode ?? 500;
  if (status < 400 || status >= 500) return undefined;
  const messages: Record<string, string> = {
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported Content-Type: send application/json.',
    FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is too large.',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty: send a JSON object.',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The Content-Length does not match the body.',
  };
  const code = status === 429 ? 'RESOURCE_EXHAUSTED' : status === 404 ? 'NOT_FOUND' : 'INVALID_ARGUMENT';
  return new LakegateError(code, messages[error.code] ?? `Malformed request: ${error.message}`);
}

/** Builds the edge's HTTP server; `main` listens, tests use `inject` or listen on port 0. */
export async function buildEdgeServer(ctx: EdgeContext): Promise<FastifyInstance> {
  const app = Fastify({
    // Full names and locations travel in paths; the router's default limit (100) would cut them.
    maxParamLength: 2048,
    // Errors the router raises before any route runs (malformed URL, bad percent-encoding): face shape too.
    frameworkErrors: (error, request, reply) => {
      sendFaceError(request, reply, new LakegateError('INVALID_ARGUMENT', `Malformed request: ${error.message}`), 400);
    },
    loggerInstance: ctx.logger as unknown as FastifyBaseLogger,
    disableRequestLogging: false,
    bodyLimit: ctx.bodyLimitBytes,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: false,
    return503OnClosing: true,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });
  // JSON only: a text/plain body would otherwise reach the handlers as a string. The raw bytes are
  // kept for SigV4's payload hash; AWS JSON protocols send their own media types.
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser(['application/json', 'application/x-amz-json-1.1', 'application/x-amz-json-1.0'], { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    parseJson(request, (body as Buffer).toString('utf8'), done);
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // AWS SDK clients read the request id from here ($metadata.requestId), as from AWS services.
    reply.header('x-amzn-requestid', request.id);
    if (reply.statusCode === 429 && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
    reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const mapped = clientError(error);
    if (!mapped) {
      ctx.logger.error({ err: error, requestId: request.id }, 'unhandled error');
      return sendFaceError(request, reply, toLakegateError(error));
    }
    const operation = (request.routeOptions.config as { operation?: string } | undefined)?.operation;
    if (operation) {
      try {
        await auditEdgeFailure(ctx, request, { eventName: operation, error: mapped, readOnly: false, requestParameters: null });
      } catch (auditError) {
        return sendFaceError(request, reply, toLakegateError(auditError));
      }
    }
    // Keep the framework's more precise status (413, 415) with the face's error body.
    return sendFaceError(request, reply, mapped, error.statusCode);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendFaceError(request, reply, new LakegateError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`)),
  );

  const openApiDocument = collectOpenApi(app);
  app.get('/openapi.json', async () => openApiDocument());
  app.get('/docs', async (_request, reply) => reply.header('content-type', 'text/html; charset=utf-8').send(renderDocs(openApiDocument())));

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const connected = !ctx.nc.isClosed();
    const services = connected ? await pingServices(ctx.nc, ctx.readyServices, 1_000) : {};
    const ready = connected && ctx.readyServices.every((s) => services[s]);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', nats: connected ? 'connected' : 'closed', services });
  });

  if (ctx.benchEcho) {
    // The physical baseline for benchmarks: the same HTTP stack and NATS hop, no decision, no mint.
    app.post('/api/v1/bench/echo', async (request, reply) => {
      const msg = await ctx.nc.request(SUBJECTS.benchEcho, JSON.stringify(request.body ?? {}), { timeout: ctx.vendTimeoutMs });
      return reply.header('content-type', 'application/json').send(msg.data);
    });
  }

  registerUnityCatalogFace(app, ctx);
  registerAdminFace(app, ctx);
  registerIcebergFace(app, ctx);
  registerDeltaSharingFace(app, ctx);
  registerLakeFormationFace(app, ctx);
  registerGlueFace(app, ctx);
  registerExplainFace(app, ctx);
  registerAuditLookupFace(app, ctx);
  return app;
}
