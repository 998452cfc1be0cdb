import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { Access, codec, LakegateError, toLakegateError, VendTarget } from '@lakegate/contracts';
import { authenticateBearer } from '../authenticate.js';
import type { EdgeContext } from '../edge-context.js';
import { traced } from '../traced.js';
import { vend } from '../vend-client.js';
import { sendUcError } from './unity-catalog.face.js';

const ExplainBody = codec(Type.Object({ target: VendTarget, access: Access }, { additionalProperties: false }));

/**
 * `POST /api/v1/explain`: the decision and exact scope a vend would get, without minting (a dry run
 * through authz, audited). A denial is an answer here, not an error: `{allowed: false, error}`.
 */
export function registerExplainFace(app: FastifyInstance, ctx: EdgeContext): void {
  app.post('/api/v1/explain', traced('Explain', async (request: FastifyRequest, reply) => {
    try {
      const identity = await authenticateBearer(ctx, request);
      const body = ExplainBody.check(request.body ?? {});
      try {
        const decided = await vend(ctx, request, identity, {
          face: 'unity-catalog',
          operation: 'Explain',
          target: body.target,
          access: body.access,
          requestParameters: { target: body.target, access: body.access },
          dryRun: true,
        });
        return reply.send({ allowed: true, principal: identity.principal, cloud: 'cloud' in decided ? decided.cloud : decided.credential.cloud, locations: decided.locations });
      } catch (thrown) {
        const error = toLakegateError(thrown);
        if (error.code === 'PERMISSION_DENIED' || error.code === 'NOT_FOUND' || error.code === 'FAILED_PRECONDITION' || error.code === 'INVALID_ARGUMENT') {
          return reply.send({ allowed: false, principal: identity.principal, error: error.toBody() });
        }
        throw error;
      }
    } catch (thrown) {
      return sendUcError(reply, thrown instanceof LakegateError ? thrown : toLakegateError(thrown));
    }
  }));
}
