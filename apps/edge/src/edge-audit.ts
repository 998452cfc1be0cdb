import type { FastifyRequest } from 'fastify';
import type { LakegateError } from '@lakegate/contracts';
import { buildAuditRecord } from '@lakegate/audit';
import type { AssertedIdentity } from '@lakegate/trust';
import type { EdgeContext } from './edge-context.js';

/**
 * The edge ends a request itself when authentication or validation fails, or when no later
 * stage answered: it then writes that request's one audit record, before replying.
 */
export async function auditEdgeFailure(
  ctx: EdgeContext,
  request: FastifyRequest,
  input: { eventName: string; error: LakegateError; identity?: AssertedIdentity | undefined; readOnly: boolean; requestParameters?: Record<string, unknown> | null },
): Promise<void> {
  await ctx.audit.publish(
    buildAuditRecord(
      {
        stage: 'edge',
        eventName: input.eventName,
        requestId: request.id,
        region: ctx.region,
        userIdentity: input.identity
          ? { type: 'LakegatePrincipal', principalId: input.identity.principal, userName: input.identity.principal, authMethod: input.identity.authMethod, ...(input.identity.credentialId ? { accessKeyId: input.identity.credentialId } : {}) }
          : { type: 'Anonymous' },
        sourceIPAddress: request.ip,
        ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
        requestParameters: input.requestParameters ?? null,
        additionalEventData: { path: request.url.split('?')[0] ?? '', method: request.method },
        error: { code: input.error.code, message: input.error.message },
        readOnly: input.readOnly,
      },
      ctx.redactor,
    ),
  );
}
