import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { LakegateError } from '@lakegate/contracts';
import { identityForToken } from '@lakegate/domain';
import type { AssertedIdentity } from '@lakegate/trust';
import type { EdgeContext } from './edge-context.js';

/** OIDC settings: JWTs from this issuer, for this audience, name the principal in `principalClaim`. */
export interface OidcSettings {
  issuer: string;
  audience: string;
  jwksUrl: string;
  principalClaim: string;
}

export interface OidcVerifier {
  settings: OidcSettings;
  keys: JWTVerifyGetKey;
}

export const oidcVerifier = (settings: OidcSettings): OidcVerifier => ({ settings, keys: createRemoteJWKSet(new URL(settings.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 }) });

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Bearer authentication: a lakegate token (hashed at once, compared by SHA-256 against the
 * watch-fed catalog view; only its id is kept) or, when OIDC is configured, a JWT verified against
 * the issuer's JWKS (signature, issuer, audience, expiry). Either way the principal must exist.
 */
export async function authenticateBearer(ctx: EdgeContext, request: FastifyRequest): Promise<AssertedIdentity> {
  const header = request.headers.authorization;
  if (!header) throw new LakegateError('UNAUTHENTICATED', 'Missing Authorization header: send "Authorization: Bearer <token>".');
  const match = /^Bearer\s+(\S{1,4096})\s*$/i.exec(header);
  if (!match) throw new LakegateError('UNAUTHENTICATED', 'The Authorization header is not a bearer token.');
  const token = match[1]!;
  let identity: AssertedIdentity | undefined;
  if (ctx.oidc && JWT_SHAPE.test(token)) {
    identity = await verifyJwt(ctx, ctx.oidc, token);
  } else {
    const found = identityForToken(ctx.view.state, createHash('sha256').update(token).digest('hex'), ctx.clock());
    if (found) identity = { principal: found.principal, authMethod: 'bearer', credentialId: found.tokenId };
  }
  if (!identity) throw new LakegateError('UNAUTHENTICATED', 'The bearer token is not valid (unknown, expired or revoked).');
  ctx.rateLimiter.take(identity.principal);
  return identity;
}

async function verifyJwt(ctx: EdgeContext, oidc: OidcVerifier, token: string): Promise<AssertedIdentity> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, oidc.keys, { issuer: oidc.settings.issuer, audience: oidc.settings.audience, clockTolerance: 30, currentDate: new Date(ctx.clock()) }));
  } catch (error) {
    const reason = (error as { code?: string }).code ?? 'ERR_JWT_INVALID';
    throw new LakegateError('UNAUTHENTICATED', `The JWT is not valid (${reason}).`);
  }
  const principal = payload[oidc.settings.principalClaim];
  if (typeof principal !== 'string' || !ctx.view.state.principals.has(principal)) {
    throw new LakegateError('UNAUTHENTICATED', `The JWT names no known principal in its '${oidc.settings.principalClaim}' claim.`);
  }
  return { principal, authMethod: 'jwt', credentialId: typeof payload.jti === 'string' ? payload.jti.slice(0, 128) : undefined };
}
