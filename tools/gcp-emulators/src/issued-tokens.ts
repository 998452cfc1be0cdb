import { createHash, randomBytes } from 'node:crypto';
import type { AccessBoundary } from './token-exchange.js';

/** The endpoint that issued a token. */
export type TokenIssuer = 'oauth2' | 'iam' | 'sts';

/** What the emulator knows about a token it issued. The token itself is never stored, only its hash. */
export interface IssuedToken {
  /** The service account the token acts as. */
  readonly identity: string;
  readonly scopes: readonly string[];
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  readonly issuedBy: TokenIssuer;
  /** The Credential Access Boundary of a downscoped token. */
  readonly accessBoundary?: AccessBoundary;
}

/** `sha256:<hex>` of a token: how calls and tests refer to a token without holding it. */
export const tokenFingerprint = (token: string): string => `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;

/** Tokens issued by the emulator, by fingerprint. */
export class IssuedTokens {
  readonly #byFingerprint = new Map<string, IssuedToken>();

  /** Issues a new opaque token shaped like a Google access token. */
  issue(token: IssuedToken): { readonly token: string; readonly fingerprint: string } {
    const value = `ya29.${token.issuedBy === 'sts' ? 'd.' : ''}${randomBytes(48).toString('base64url')}`;
    const fingerprint = tokenFingerprint(value);
    this.#byFingerprint.set(fingerprint, token);
    return { token: value, fingerprint };
  }

  /** The token's record, whether or not it has expired; undefined when the emulator never issued it. */
  describe(token: string): IssuedToken | undefined {
    return this.#byFingerprint.get(tokenFingerprint(token));
  }

  /** The token's record when it was issued here and is still live at `now`. */
  live(token: string, now: number): IssuedToken | undefined {
    const issued = this.describe(token);
    return issued !== undefined && issued.expiresAt > now ? issued : undefined;
  }
}
