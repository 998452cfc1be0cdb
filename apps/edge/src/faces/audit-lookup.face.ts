import type { FastifyInstance, FastifyReply } from 'fastify';
import { CODECS, HEADERS, LakegateError, SUBJECTS, toLakegateError, type ErrorCode } from '@lakegate/contracts';
import { requestTyped } from '@lakegate/platform-nats';
import { assertIdentity } from '@lakegate/trust';
import { authenticateBearer } from '../authenticate.js';
import type { EdgeContext } from '../edge-context.js';
import { traced } from '../traced.js';

export const AUDIT_PREFIX = '/api/v1/audit';

/** Catalog codes → CloudTrail's exception names (AWS JSON error shape). */
const CLOUDTRAIL_ERRORS: Partial<Record<ErrorCode, [number, string]>> = {
  INVALID_ARGUMENT: [400, 'InvalidParameterException'],
  UNAUTHENTICATED: [401, 'UnrecognizedClientException'],
  PERMISSION_DENIED: [403, 'AccessDeniedException'],
  RESOURCE_EXHAUSTED: [429, 'ThrottlingException'],
  NOT_FOUND: [404, 'ResourceNotFoundException'],
};

export function sendCloudTrailError(reply: FastifyReply, error: LakegateError, httpStatus?: number): FastifyReply {
  const [mappedStatus, type] = CLOUDTRAIL_ERRORS[error.code] ?? [error.status >= 500 ? error.status : 500, 'InternalServerException'];
  const status = httpStatus ?? mappedStatus;
  const message = status >= 500 && error.code !== 'SERVICE_UNAVAILABLE' && error.code !== 'DEADLINE_EXCEEDED' ? 'Internal error.' : error.message;
  return reply.status(status).header('x-amzn-ErrorType', type).send({ __type: type, Message: message });
}

/** CloudTrail `LookupEvents` over HTTP, for metastore admins. */
export function registerAuditLookupFace(app: FastifyInstance, ctx: EdgeContext): void {
  app.post(`${AUDIT_PREFIX}/lookup-events`, traced('LookupEvents', async (request, reply) => {
    try {
      const identity = await authenticateBearer(ctx, request);
      if (!ctx.admins.has(identity.principal)) {
        throw new LakegateError('PERMISSION_DENIED', `User '${identity.principal}' is not a metastore admin and cannot read the audit log.`);
      }
      const query = CODECS.lookupEventsRequest.check(request.body ?? {});
      const message = assertIdentity(ctx.assertionKeys.audit, identity, { requestId: request.id, query }, ctx.clock());
      const result = await requestTyped(ctx.nc, SUBJECTS.auditLookup, CODECS.auditLookupQuery.encode(message), CODECS.auditLookupReply, {
        timeoutMs: ctx.vendTimeoutMs,
        headers: { [HEADERS.requestId]: request.id },
      });
      if (!result.ok) throw LakegateError.fromBody(result.error as never);
      return reply.send(result.result);
    } catch (thrown) {
      return sendCloudTrailError(reply, toLakegateError(thrown));
    }
  }));
}
