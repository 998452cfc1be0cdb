import { createHash, createSign, type KeyObject } from 'node:crypto';

/** The claims of an Entra ID v1.0 app-only access token, as storage services read them. */
export interface AccessTokenClaims {
  readonly aud: string;
  /** `https://sts.windows.net/<tenant>/`: the v1.0 issuer that Azure Storage (and Azurite) accept. */
  readonly iss: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly appid: string;
  /** 1 = client secret, 2 = certificate or client assertion. */
  readonly appidacr: '1' | '2';
  readonly idp: string;
  /** The service principal's object id: the user delegation key is bound to it (`skoid`). */
  readonly oid: string;
  readonly sub: string;
  readonly tid: string;
  readonly uti: string;
  readonly ver: '1.0';
}

const base64url = (input: Buffer | string): string => Buffer.from(input).toString('base64url');

/** Signs the claims as an RS256 JWT with the authority's key. */
export function signAccessToken(claims: AccessTokenClaims, privateKey: KeyObject, kid: string): string {
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5t: kid, kid }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}

/** The payload of a JWT, without verifying it (for tests that inspect what was issued). */
export function decodeJwtPayload(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (payload === undefined) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A stable object id for a client id, shaped like a GUID, when the app does not name one. */
export function objectIdFor(tenantId: string, clientId: string): string {
  const h = createHash('sha256').update(`${tenantId}/${clientId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
