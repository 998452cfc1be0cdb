import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { codec, CODECS, type Codec, HEADERS, LakegateError, SUBJECTS, toLakegateError, type ErrorCode, type VendDryRun, type VendSuccess } from '@lakegate/contracts';
import { requestTyped } from '@lakegate/platform-nats';
import { assertIdentity, type AssertedIdentity } from '@lakegate/trust';
import { authenticateBearer } from '../authenticate.js';
import { auditEdgeFailure } from '../edge-audit.js';
import type { EdgeContext } from '../edge-context.js';
import { traced } from '../traced.js';
import { vend, type VendInput } from '../vend-client.js';

export const UC_PREFIXES = ['/api/2.1/unity-catalog', '/api/2.0/unity-catalog'] as const;

/** Catalog codes → Unity Catalog's `error_code` and HTTP status. */
const UC_ERRORS: Record<ErrorCode, [number, string]> = {
  INVALID_ARGUMENT: [400, 'INVALID_ARGUMENT'],
  UNAUTHENTICATED: [401, 'UNAUTHENTICATED'],
  PERMISSION_DENIED: [403, 'PERMISSION_DENIED'],
  NOT_FOUND: [404, 'NOT_FOUND'],
  FAILED_PRECONDITION: [400, 'FAILED_PRECONDITION'],
  ALREADY_EXISTS: [409, 'ALREADY_EXISTS'],
  CONFLICT: [409, 'ABORTED'],
  RESOURCE_EXHAUSTED: [429, 'REQUEST_LIMIT_EXCEEDED'],
  ORDER_REJECTED: [500, 'INTERNAL'],
  UPSTREAM_DENIED: [403, 'PERMISSION_DENIED'],
  UPSTREAM_UNAVAILABLE: [503, 'TEMPORARILY_UNAVAILABLE'],
  AUDIT_UNAVAILABLE: [503, 'TEMPORARILY_UNAVAILABLE'],
  SERVICE_UNAVAILABLE: [503, 'TEMPORARILY_UNAVAILABLE'],
  DEADLINE_EXCEEDED: [504, 'DEADLINE_EXCEEDED'],
  NOT_IMPLEMENTED: [501, 'NOT_IMPLEMENTED'],
  INTERNAL: [500, 'INTERNAL'],
};

/** Unity Catalog's error shape: `{error_code, message, details}`. */
export function sendUcError(reply: FastifyReply, error: LakegateError, httpStatus?: number): FastifyReply {
  const [mappedStatus, errorCode] = UC_ERRORS[error.code];
  const status = httpStatus ?? mappedStatus;
  const message = error.code === 'INTERNAL' || error.code === 'ORDER_REJECTED' ? 'Internal error.' : error.message;
  const details = [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: error.code, domain: 'lakegate', metadata: { request_id: String(reply.request.id) } }];
  return reply.status(status).header(HEADERS.errorCode, errorCode).send({ error_code: errorCode, message, details });
}

const VolumeCredentialsBody = codec(
  Type.Object({
    volume_id: Type.String({ minLength: 1, maxLength: 256 }),
    operation: Type.Union([Type.Literal('READ_VOLUME'), Type.Literal('WRITE_VOLUME')]),
  }),
);
const TableCredentialsBody = codec(
  Type.Object({
    table_id: Type.String({ minLength: 1, maxLength: 256 }),
    operation: Type.Union([Type.Literal('READ'), Type.Literal('READ_WRITE')]),
  }),
);
const PathCredentialsBody = codec(
  Type.Object({
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    operation: Type.Union([Type.Literal('PATH_READ'), Type.Literal('PATH_READ_WRITE'), Type.Literal('PATH_CREATE_TABLE')]),
    dry_run: Type.Optional(Type.Boolean()),
  }),
);
const PATH_OPERATIONS = { PATH_READ: 'read', PATH_READ_WRITE: 'read-write', PATH_CREATE_TABLE: 'create-table' } as const;

/** `TemporaryCredentials` as Unity Catalog returns it: one cloud member, expiry in epoch ms, the url. */
export function ucTemporaryCredentials(vended: VendSuccess | VendDryRun): Record<string, unknown> {
  const url = vended.locations[0]?.url ?? '';
  if (!('credential' in vended)) return { url };
  const { credential } = vended;
  const cloudMember = credential.aws
    ? { aws_temp_credentials: { access_key_id: credential.aws.accessKeyId, secret_access_key: credential.aws.secretAccessKey, session_token: credential.aws.sessionToken } }
    : credential.azure
      ? { azure_user_delegation_sas: { sas_token: credential.azure.sasToken } }
      : { gcp_oauth_token: { oauth_token: credential.gcp?.oauthToken ?? '' } };
  return { ...cloudMember, expiration_time: credential.expiresAt, url };
}

/**
 * One temporary-credentials route: authenticate and validate at the edge (auditing a failure
 * there), translate into a VendRequest, and answer in Unity Catalog's shape.
 */
function vendRoute<B>(
  app: FastifyInstance,
  ctx: EdgeContext,
  path: string,
  operation: string,
  bodyCodec: Codec<B>,
  translate: (body: B) => Omit<VendInput, 'face' | 'operation'>,
): void {
  const check = bodyCodec.check;
  app.post(path, { config: { operation, openapi: { summary: `Unity Catalog ${operation}`, body: bodyCodec.schema } } }, traced(operation, async (request, reply) => {
    let identity: AssertedIdentity | undefined;
    let input;
    try {
      identity = await authenticateBearer(ctx, request);
      input = translate(parseJsonBody(request, check));
    } catch (thrown) {
      return endAtEdge(ctx, request, reply, thrown, { eventName: operation, identity, readOnly: false });
    }
    try {
      return reply.send(ucTemporaryCredentials(await vend(ctx, request, identity, { face: 'unity-catalog', operation, ...input })));
    } catch (thrown) {
      return sendUcError(reply, toLakegateError(thrown));
    }
  }));
}

export function registerUnityCatalogFace(app: FastifyInstance, ctx: EdgeContext): void {
  for (const prefix of UC_PREFIXES) {
    vendRoute(app, ctx, `${prefix}/temporary-volume-credentials`, 'GenerateTemporaryVolumeCredentials', VolumeCredentialsBody, (body) => ({
      target: { kind: 'volume', volumeId: body.volume_id },
      access: body.operation === 'WRITE_VOLUME' ? 'write' : 'read',
      requestParameters: { volume_id: body.volume_id, operation: body.operation },
    }));
    vendRoute(app, ctx, `${prefix}/temporary-table-credentials`, 'GenerateTemporaryTableCredentials', TableCredentialsBody, (body) => ({
      target: { kind: 'table', tableId: body.table_id },
      access: body.operation === 'READ_WRITE' ? 'write' : 'read',
      requestParameters: { table_id: body.table_id, operation: body.operation },
    }));
    vendRoute(app, ctx, `${prefix}/temporary-path-credentials`, 'GenerateTemporaryPathCredentials', PathCredentialsBody, (body) => ({
      target: { kind: 'path', url: body.url, operation: PATH_OPERATIONS[body.operation] },
      access: body.operation === 'PATH_READ' ? 'read' : 'write',
      requestParameters: { url: body.url, operation: body.operation, ...(body.dry_run ? { dry_run: true } : {}) },
      ...(body.dry_run ? { dryRun: true } : {}),
    }));

    getRoute(app, ctx, `${prefix}/volumes/:full_name`, 'GetVolume', 'volume', SUBJECTS.catalogGetVolume, CODECS.getVolumeReply);
    getRoute(app, ctx, `${prefix}/tables/:full_name`, 'GetTable', 'table', SUBJECTS.catalogGetTable, CODECS.getTableReply);
  }
}

/** `GET {volumes|tables}/{full_name}`, answered by the catalog service for the asserted caller. */
function getRoute<T>(
  app: FastifyInstance,
  ctx: EdgeContext,
  path: string,
  operation: string,
  kind: 'volume' | 'table',
  subject: string,
  replyCodec: Codec<{ ok: true; result: T } | { ok: false; requestId: string; error: { code: string; message: string } }>,
): void {
  app.get<{ Params: { full_name: string } }>(path, traced(operation, async (request: FastifyRequest<{ Params: { full_name: string } }>, reply) => {
    try {
      const identity = await authenticateBearer(ctx, request);
      const fullName = request.params.full_name;
      if (fullName.length > 1024 || fullName.split('.').length !== 3) {
        throw new LakegateError('INVALID_ARGUMENT', `'${fullName.slice(0, 100)}' is not a ${kind} full name (catalog.schema.${kind}).`);
      }
      const query = assertIdentity(ctx.assertionKeys.catalog, identity, { requestId: request.id, fullName }, ctx.clock());
      const result = await requestTyped(ctx.nc, subject, CODECS.getVolumeRequest.encode(query), replyCodec, {
        timeoutMs: ctx.vendTimeoutMs,
        headers: { [HEADERS.requestId]: request.id },
      });
      if (!result.ok) throw LakegateError.fromBody(result.error as never);
      return reply.send(result.result);
    } catch (thrown) {
      return sendUcError(reply, toLakegateError(thrown));
    }
  }));
}

/** The body as the JSON parser left it, checked against the face's schema; a missing body is a 400. */
export function parseJsonBody<T>(request: FastifyRequest, check: (value: unknown) => T): T {
  if (request.body === undefined || request.body === null) {
    throw new LakegateError('INVALID_ARGUMENT', 'The request body is missing: send a JSON object.');
  }
  return check(request.body);
}

/** A request the edge itself ends (authentication, validation): audit it, then answer in UC's shape. */
async function endAtEdge(
  ctx: EdgeContext,
  request: FastifyRequest,
  reply: FastifyReply,
  thrown: unknown,
  input: { eventName: string; identity: AssertedIdentity | undefined; readOnly: boolean },
): Promise<FastifyReply> {
  const error = toLakegateError(thrown);
  if (error.code === 'INTERNAL') ctx.logger.error({ err: thrown, requestId: request.id }, 'request failed');
  try {
    await auditEdgeFailure(ctx, request, { ...input, error, requestParameters: bodyForAudit(request.body) });
  } catch (auditError) {
    return sendUcError(reply, toLakegateError(auditError));
  }
  return sendUcError(reply, error);
}

const bodyForAudit = (body: unknown): Record<string, unknown> | null =>
  body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : body === undefined ? null : { body: JSON.stringify(body).slice(0, 256) };
