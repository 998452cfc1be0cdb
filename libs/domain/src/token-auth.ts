import type { CatalogState } from './catalog-state.js';

export interface TokenIdentity {
  principal: string;
  tokenId: string;
}

/** The principal a bearer token (given by its SHA-256) belongs to, unless unknown, revoked or expired. */
export function identityForToken(state: CatalogState, tokenSha256: string, now: number): TokenIdentity | undefined {
  const record = state.tokens.get(tokenSha256)?.value;
  if (!record || record.revoked) return undefined;
  if (record.expires_at !== undefined && record.expires_at <= now) return undefined;
  if (!state.principals.has(record.principal)) return undefined;
  return { principal: record.principal, tokenId: record.token_id };
}
