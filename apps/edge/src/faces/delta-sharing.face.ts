import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { codec, LakegateError, toLakegateError, type ErrorCode } from '@lakegate/contracts';
import type { AssertedIdentity } from '@lakegate/trust';
import { authenticateBearer } from '../authenticate.js';
import { auditEdgeFailure } from '../edge-audit.js';
import type { EdgeContext } from '../edge-context.js';
import { traced } from '../traced.js';
import { vend } from '../vend-client.js';
import { catalogRoute } from './admin.face.js';

export const DELTA_SHARING_PREFIX = '/delta-sharing';

/** Catalog codes → the Delta Sharing protocol's `errorCode` and status. */
const DS_ERRORS: Partial<Record<ErrorCode, [number, string]>> = {
  INVALID_ARGUMENT: [400, 'INVALID_PARAMETER_VALUE'],
  FAILED_PRECONDITION: [400, 'INVALID_PARAMETER_VALUE'],
  UNAUTHENTICATED: [401, 'UNAUTHENTICATED'],
  PERMISSION_DENIED: [403, 'PERMISSION_DENIED'],
  UPSTREAM_DENIED: [403, 'PERMISSION_DENIED'],
  NOT_FOUND: [404, 'RESOURCE_DOES_NOT_EXIST'],
  RESOURCE_EXHAUSTED: [429, 'RESOURCE_EXHAUSTED'],
};

export function sendDeltaSharingError(reply: FastifyReply, error: LakegateError, httpStatus?: number): FastifyReply {
  const [mapped, errorCode] = DS_ERRORS[error.code] ?? [error.status >= 500 ? error.status : 500, 'INTERNAL_ERROR'];
  const status = httpStatus ?? mapped;
  const message = status >= 500 && error.code !== 'SERVICE_UNAVAILABLE' && error.code !== 'DEADLINE_EXCEEDED' ? 'An internal error occurred.' : error.message;
  return reply.status(status).send({ errorCode, message });
}

const CredentialsBody = codec(Type.Object({ location: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })) }));

/** `credentials` as the protocol returns them: camelCase, one cloud member, expiry in epoch ms. */
function dsCredentials(vended: Awaited<ReturnType<typeof vend>>): Record<string, unknown> {
  if (!('credential' in vended)) throw new LakegateError('INTERNAL');
  const { credential } = vended;
  const member = credential.aws
    ? { awsTempCredentials: { accessKeyId: credential.aws.accessKeyId, secretAccessKey: credential.aws.secretAccessKey, sessionToken: credential.aws.sessionToken } }
    : credential.azure
      ? { azureUserDelegationSas: { sasToken: credential.azure.sasToken } }
      : { gcpOauthToken: { oauthToken: credential.gcp?.oauthToken ?? '' } };
  return { credentials: { location: vended.locations[0]?.url ?? '', ...member, expirationTime: credential.expiresAt } };
}

/**
 * The Delta Sharing protocol for recipients (bearer tokens from their profile files): list shares,
 * schemas and tables (paginated), table metadata, and directory-access temporary table credentials.
 * Names are case-insensitive.
 */
export function registerDeltaSharingFace(app: FastifyInstance, ctx: EdgeContext): void {
  const p = DELTA_SHARING_PREFIX;
  const read = { sendError: sendDeltaSharingError, queryParams: ['maxResults', 'pageToken'] };
  catalogRoute(app, ctx, 'GET', `${p}/shares`, 'SharingListShares', read);
  catalogRoute(app, ctx, 'GET', `${p}/shares/:share`, 'SharingGetShare', read);
  catalogRoute(app, ctx, 'GET', `${p}/shares/:share/schemas`, 'SharingListSchemas', read);
  catalogRoute(app, ctx, 'GET', `${p}/shares/:share/schemas/:schema/tables`, 'SharingListTables', read);
  catalogRoute(app, ctx, 'GET', `${p}/shares/:share/all-tables`, 'SharingListAllTables', read);
  catalogRoute(app, ctx, 'GET', `${p}/shares/:share/schemas/:schema/tables/:table/metadata`, 'SharingGetTableMetadata', {
    sendError: sendDeltaSharingError,
    respond: (reply, result) => {
      const { protocol, metaData } = result as { protocol: unknown; metaData: unknown };
      return reply.header('content-type', 'application/x-ndjson; charset=utf-8').send(`${JSON.stringify({ protocol })}\n${JSON.stringify({ metaData })}\n`);
    },
  });

  type Params = { share: string; schema: string; table: string };
  const operation = 'GenerateTemporaryTableCredential';
  app.post<{ Params: Params }>(
    `${p}/shares/:share/schemas/:schema/tables/:table/temporary-table-credentials`,
    { config: { operation } },
    traced(operation, async (request: FastifyRequest<{ Params: Params }>, reply) => {
      let identity: AssertedIdentity | undefined;
      let body;
      try {
        identity = await authenticateBearer(ctx, request);
        body = CredentialsBody.check(request.body ?? {});
      } catch (thrown) {
        const error = toLakegateError(thrown);
        try {
          await auditEdgeFailure(ctx, request, { eventName: operation, error, identity, readOnly: true, requestParameters: { ...request.params } });
        } catch (auditError) {
          return sendDeltaSharingError(reply, toLakegateError(auditError));
        }
        return sendDeltaSharingError(reply, error);
      }
      try {
        const { share, schema, table } = request.params;
        const vended = await vend(ctx, request, identity, {
          face: 'delta-sharing',
          operation,
          target: { kind: 'shared-table', share, schema, table, ...(body.location ? { location: body.location } : {}) },
          access: 'read',
          requestParameters: { share, schema, table, ...(body.location ? { location: body.location } : {}) },
        });
        return reply.send(dsCredentials(vended));
      } catch (thrown) {
        return sendDeltaSharingError(reply, toLakegateError(thrown));
      }
    }),
  );

  app.post(`${p}/shares/:share/schemas/:schema/tables/:table/query`, async (_request, reply) =>
    sendDeltaSharingError(
      reply,
      new LakegateError('INVALID_ARGUMENT', 'This server shares tables for directory access only: read the table metadata, then call temporary-table-credentials for its location.'),
    ),
  );
}
