import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LakegateError, toLakegateError, type ErrorCode, type VendSuccess } from '@lakegate/contracts';
import type { AssertedIdentity } from '@lakegate/trust';
import { authenticateBearer } from '../authenticate.js';
import { auditEdgeFailure } from '../edge-audit.js';
import type { EdgeContext } from '../edge-context.js';
import { traced } from '../traced.js';
import { vend } from '../vend-client.js';

export const ICEBERG_PREFIX = '/v1';

/** Catalog codes → Iceberg REST's error `type` and status. */
const ICEBERG_ERRORS: Partial<Record<ErrorCode, [number, string]>> = {
  INVALID_ARGUMENT: [400, 'BadRequestException'],
  FAILED_PRECONDITION: [400, 'BadRequestException'],
  UNAUTHENTICATED: [401, 'NotAuthorizedException'],
  PERMISSION_DENIED: [403, 'ForbiddenException'],
  UPSTREAM_DENIED: [403, 'ForbiddenException'],
  NOT_FOUND: [404, 'NoSuchTableException'],
  RESOURCE_EXHAUSTED: [429, 'TooManyRequestsException'],
  SERVICE_UNAVAILABLE: [503, 'ServiceUnavailableException'],
  UPSTREAM_UNAVAILABLE: [503, 'ServiceUnavailableException'],
  AUDIT_UNAVAILABLE: [503, 'ServiceUnavailableException'],
  DEADLINE_EXCEEDED: [504, 'ServiceUnavailableException'],
  NOT_IMPLEMENTED: [501, 'NotImplementedException'],
};

/** Iceberg REST's error shape: `{"error": {"message", "type", "code"}}`. */
export function sendIcebergError(reply: FastifyReply, error: LakegateError, httpStatus?: number): FastifyReply {
  const [mapped, type] = ICEBERG_ERRORS[error.code] ?? [500, 'InternalServerError'];
  const code = httpStatus ?? mapped;
  const message = code >= 500 && error.code !== 'SERVICE_UNAVAILABLE' && error.code !== 'DEADLINE_EXCEEDED' ? 'Internal error.' : error.message;
  return reply.status(code).send({ error: { message, type, code } });
}

/** One `storage-credentials` entry per vended location, with Iceberg's FileIO property names. */
export function icebergStorageCredentials(vended: VendSuccess, refreshEndpoint: string): { prefix: string; config: Record<string, string> }[] {
  const { credential } = vended;
  const config: Record<string, string> = {};
  if (credential.aws) {
    config['s3.access-key-id'] = credential.aws.accessKeyId;
    config['s3.secret-access-key'] = credential.aws.secretAccessKey;
    config['s3.session-token'] = credential.aws.sessionToken;
    config['s3.session-token-expires-at-ms'] = String(credential.expiresAt);
  } else if (credential.azure) {
    config[`adls.sas-token.${credential.azure.accountHost}`] = credential.azure.sasToken;
    config[`adls.sas-token-expires-at-ms.${credential.azure.accountHost}`] = String(credential.expiresAt);
  } else if (credential.gcp) {
    config['gcs.oauth2.token'] = credential.gcp.oauthToken;
    config['gcs.oauth2.token-expires-at'] = String(credential.expiresAt);
  }
  config['client.refresh-credentials-endpoint'] = refreshEndpoint;
  return vended.locations.map((l) => ({ prefix: l.url, config }));
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,254}$/;

/**
 * Iceberg REST catalog, credential vending only: `GET /v1/config` and
 * `GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials`, where the prefix is a
 * Unity Catalog catalog and the namespace a schema. Credentials are read-only.
 */
export function registerIcebergFace(app: FastifyInstance, ctx: EdgeContext): void {
  app.get(`${ICEBERG_PREFIX}/config`, traced('IcebergGetConfig', async (request: FastifyRequest, reply) => {
    try {
      await authenticateBearer(ctx, request);
      const warehouse = (request.query as Record<string, unknown>)['warehouse'];
      return reply.send({
        defaults: {},
        overrides: typeof warehouse === 'string' && NAME.test(warehouse) ? { prefix: warehouse } : {},
        endpoints: ['GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials'],
      });
    } catch (thrown) {
      return sendIcebergError(reply, toLakegateError(thrown));
    }
  }));

  type Params = { prefix: string; namespace: string; table: string };
  const operation = 'LoadCredentials';
  app.get<{ Params: Params }>(
    `${ICEBERG_PREFIX}/:prefix/namespaces/:namespace/tables/:table/credentials`,
    { config: { operation } },
    traced(operation, async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const { prefix, namespace, table } = request.params;
      let identity: AssertedIdentity | undefined;
      try {
        identity = await authenticateBearer(ctx, request);
        if (namespace.includes('\u001f')) throw new LakegateError('INVALID_ARGUMENT', 'Nested namespaces are not supported: a namespace is a Unity Catalog schema.');
        for (const [what, value] of [['prefix', prefix], ['namespace', namespace], ['table', table]] as const) {
          if (!NAME.test(value)) throw new LakegateError('INVALID_ARGUMENT', `Invalid ${what} '${value.slice(0, 64)}'.`);
        }
      } catch (thrown) {
        const error = toLakegateError(thrown);
        try {
          await auditEdgeFailure(ctx, request, { eventName: operation, error, identity, readOnly: true, requestParameters: { ...request.params } });
        } catch (auditError) {
          return sendIcebergError(reply, toLakegateError(auditError));
        }
        return sendIcebergError(reply, error);
      }
      try {
        const vended = await vend(ctx, request, identity, {
          face: 'iceberg',
          operation,
          target: { kind: 'table', fullName: `${prefix}.${namespace}.${table}` },
          access: 'read',
          requestParameters: { prefix, namespace, table },
        });
        if (!('credential' in vended)) throw new LakegateError('INTERNAL');
        const refresh = `v1/${prefix}/namespaces/${namespace}/tables/${table}/credentials`;
        return reply.send({ 'storage-credentials': icebergStorageCredentials(vended, refresh) });
      } catch (thrown) {
        return sendIcebergError(reply, toLakegateError(thrown));
      }
    }),
  );
}
