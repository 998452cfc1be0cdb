import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { LakegateError } from '@lakegate/contracts';
import { identityForToken } from '@lakegate/domain';
import type { AssertedIdentity } from '@lakegate/trust';
import type { EdgeContext } from './edge-context.js';

/**
 * Bearer-token authentication against the watch-fed catalog view. The token is hashed at once;
 * only its SHA-256 is compared, and only the token id is kept for the audit record.
 */
export function authenticateBearer(ctx: EdgeContext, request: FastifyRequest): AssertedIdentity {
  const header = request.headers.authorization;
  if (!header) throw new LakegateError('UNAUTHENTICATED', 'Missing Authorization header: send "Authorization: Bearer <token>".');
  const match = /^Bearer\s+(\S{1,1024})\s*$/i.exec(header);
  if (!match) throw new LakegateError('UNAUTHENTICATED', 'The Authorization header is not a bearer token.');
  const identity = identityForToken(ctx.view.state, createHash('sha256').update(match[1]!).digest('hex'), ctx.clock());
  if (!identity) throw new LakegateError('UNAUTHENTICATED', 'The bearer token is not valid (unknown, expired or revoked).');
  ctx.rateLimiter.take(identity.principal);
  return { principal: identity.principal, authMethod: 'bearer', credentialId: identity.tokenId };
}
