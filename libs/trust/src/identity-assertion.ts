import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson, LakegateError, type Caller, type IdentityAssertion } from '@lakegate/contracts';
import type { SymmetricKey } from './keys.js';

export interface AssertedIdentity {
  principal: string;
  authMethod: IdentityAssertion['authMethod'];
  credentialId?: string | undefined;
}

type UnsignedAssertion = Omit<IdentityAssertion, 'mac'>;

/** The MAC covers the whole request, so an assertion cannot be lifted onto another target. */
const macOf = (key: Buffer, request: object, assertion: UnsignedAssertion) =>
  createHmac('sha256', key).update(canonicalJson({ ...request, caller: assertion })).digest('base64url');

/**
 * Edge side: binds an authenticated identity to one request. Each receiving service has its own
 * key, so an assertion made for one service is worthless to another.
 */
export function assertIdentity<R extends object>(key: SymmetricKey, identity: AssertedIdentity, request: R, now: number): R & { caller: IdentityAssertion } {
  const assertion: UnsignedAssertion = {
    kind: 'assertion',
    principal: identity.principal,
    authMethod: identity.authMethod,
    ...(identity.credentialId ? { credentialId: identity.credentialId } : {}),
    issuedAt: now,
    keyId: key.kid,
  };
  return { ...request, caller: { ...assertion, mac: macOf(key.key, request, assertion) } };
}

/**
 * authz side: accepts an assertion only when its MAC verifies with a known key and it is fresh.
 * Anything else is UNAUTHENTICATED; the reason is in the message, never a key.
 */
export function verifyAssertion(keys: readonly SymmetricKey[], request: { caller: Caller }, now: number, maxAgeMs = 30_000): AssertedIdentity {
  const caller = request.caller;
  if (caller.kind !== 'assertion') throw new LakegateError('UNAUTHENTICATED', 'The request carries no identity assertion.');
  const key = keys.find((k) => k.kid === caller.keyId);
  if (!key) throw new LakegateError('UNAUTHENTICATED', 'The identity assertion names an unknown key.');
  const { mac, ...assertion } = caller;
  const { caller: _ignored, ...rest } = request;
  const expected = Buffer.from(macOf(key.key, rest, assertion));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new LakegateError('UNAUTHENTICATED', 'The identity assertion does not verify.');
  }
  if (caller.issuedAt > now + 5_000 || now - caller.issuedAt > maxAgeMs) {
    throw new LakegateError('UNAUTHENTICATED', 'The identity assertion has expired.');
  }
  return { principal: caller.principal, authMethod: caller.authMethod, credentialId: caller.credentialId };
}
