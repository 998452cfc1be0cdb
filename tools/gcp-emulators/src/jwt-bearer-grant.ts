import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** RFC 7523 grant type a service-account key uses at Google's OAuth 2.0 token endpoint. */
export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** The audience Google requires in the assertion (google-auth-library always sends this). */
export const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
/** Google refuses assertions that live longer than an hour. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 3600;
const CLOCK_SKEW_SECONDS = 300;

/** An OAuth 2.0 error answer (`{error, error_description}`), as the token and STS endpoints send them. */
export interface OAuthFault {
  readonly status: number;
  readonly error: string;
  readonly description: string;
}

export interface VerifiedAssertion {
  /** The service account that signed the assertion (`iss`). */
  readonly serviceAccount: string;
  readonly scopes: readonly string[];
}

export const isOAuthFault = (value: unknown): value is OAuthFault =>
  typeof value === 'object' && value !== null && 'error' in value && 'status' in value;

/** Public keys by service-account email, from PEM public keys or from the private keys of key files. */
export function publicKeys(keys: Readonly<Record<string, string>>): Map<string, KeyObject> {
  return new Map(Object.entries(keys).map(([email, pem]) => [email, createPublicKey(pem)]));
}

const invalidGrant = (description: string): OAuthFault => ({ status: 400, error: 'invalid_grant', description });

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks a JWT-bearer assertion the way Google's token endpoint does: RS256 signed by a known
 * service account's key, `aud` the token endpoint, `iat`/`exp` a window of at most an hour around
 * now, and a `scope` claim.
 */
export function verifyJwtAssertion(assertion: string, keys: ReadonlyMap<string, KeyObject>, nowMs: number): VerifiedAssertion | OAuthFault {
  const parts = assertion.split('.');
  if (parts.length !== 3) return invalidGrant('Invalid JWT: not a compact JWS.');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart);
  const payload = decodeJson(payloadPart);
  if (!header || !payload) return invalidGrant('Invalid JWT: header or payload is not JSON.');
  if (header['alg'] !== 'RS256') return invalidGrant('Invalid JWT: only RS256 is accepted.');
  const iss = payload['iss'];
  if (typeof iss !== 'string') return invalidGrant('Invalid JWT: no issuer.');
  const key = keys.get(iss);
  if (!key) return invalidGrant('Invalid grant: account not found');
  const signed = verify('RSA-SHA256', Buffer.from(`${headerPart}.${payloadPart}`), key, Buffer.from(signaturePart, 'base64url'));
  if (!signed) return invalidGrant('Invalid JWT Signature.');
  if (payload['aud'] !== GOOGLE_TOKEN_AUDIENCE) return invalidGrant('Invalid JWT: Failed audience check.');

  const now = Math.floor(nowMs / 1000);
  const { iat, exp } = payload;
  if (
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    exp <= now ||
    iat > now + CLOCK_SKEW_SECONDS ||
    exp - iat > MAX_ASSERTION_LIFETIME_SECONDS
  ) {
    return invalidGrant('Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
  }
  const scope = payload['scope'];
  const scopes = typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [];
  if (scopes.length === 0) return { status: 400, error: 'invalid_scope', description: 'Invalid OAuth scope or ID token audience provided.' };
  return { serviceAccount: iss, scopes };
}
