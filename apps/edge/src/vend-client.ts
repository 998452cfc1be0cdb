import type { FastifyRequest } from 'fastify';
import { CODECS, HEADERS, LakegateError, SUBJECTS, VEND_SCHEMA_VERSION, type Access, type AuditContext, type Face, type VendDryRun, type VendSuccess, type VendTarget } from '@lakegate/contracts';
import { requestTyped } from '@lakegate/platform-nats';
import { assertIdentity, type AssertedIdentity } from '@lakegate/trust';
import { auditEdgeFailure } from './edge-audit.js';
import type { EdgeContext } from './edge-context.js';

export interface VendInput {
  face: Face;
  operation: string;
  target: VendTarget;
  access: Access;
  durationSeconds?: number;
  auditContext?: AuditContext;
  /** The face request as received, without secrets. */
  requestParameters: Record<string, unknown>;
  /** Decide and report the scope without minting. */
  dryRun?: boolean;
}

/**
 * Translates one face call into the canonical VendRequest, asserts the caller's identity to authz,
 * and waits for the reply (which comes from authz or straight from the minter). When no stage
 * answers in time, the edge records the failed call itself so even a lost request leaves a trace.
 */
export async function vend(ctx: EdgeContext, request: FastifyRequest, identity: AssertedIdentity, input: VendInput): Promise<VendSuccess | VendDryRun> {
  const userAgent = request.headers['user-agent'];
  const vendRequest = assertIdentity(
    ctx.assertionKeys.authz,
    identity,
    {
      v: VEND_SCHEMA_VERSION,
      requestId: request.id,
      face: input.face,
      operation: input.operation,
      target: input.target,
      access: input.access,
      ...(input.durationSeconds ? { durationSeconds: input.durationSeconds } : {}),
      ...(input.auditContext ? { auditContext: input.auditContext } : {}),
      requestParameters: input.requestParameters,
      ...(input.dryRun ? { dryRun: true } : {}),
      ...(ctx.view.revision > 0 ? { catalogRevision: ctx.view.revision } : {}),
      source: { ip: request.ip, ...(userAgent ? { userAgent: userAgent.slice(0, 1024) } : {}) },
    },
    ctx.clock(),
  );
  let reply;
  try {
    reply = await requestTyped(ctx.nc, SUBJECTS.vend, CODECS.vendRequest.encode(vendRequest), CODECS.vendReply, {
      timeoutMs: ctx.vendTimeoutMs,
      headers: { [HEADERS.requestId]: request.id },
    });
  } catch (thrown) {
    const error = thrown instanceof LakegateError ? thrown : new LakegateError('INTERNAL', undefined, { cause: thrown });
    await auditEdgeFailure(ctx, request, { eventName: input.operation, error, identity, readOnly: input.access === 'read', requestParameters: input.requestParameters });
    throw error;
  }
  if (!reply.ok) throw LakegateError.fromBody(reply.error as never);
  return reply;
}
