import { createHash } from 'node:crypto';

/** STS's character set for `RoleSessionName` and `SourceIdentity`: `[\w+=,.@-]`. */
const STS_NAME_CHARS = /[A-Za-z0-9_+=,.@-]/;
/** Characters IAM allows in session tag values: letters, spaces, numbers and `_.:/=+-@`. */
const TAG_VALUE_CHARS = /[\p{L}\p{Z}\p{N}_.:/=+\-@]/u;

export const SOURCE_IDENTITY_MAX = 64;
export const SESSION_TAG_VALUE_MAX = 256;

/** Replaces every code point outside `allowed` with `_` (one per code point, never half a surrogate pair). */
const sanitise = (value: string, allowed: RegExp): string => Array.from(value, (c) => (allowed.test(c) ? c : '_')).join('');

const digest = (...parts: string[]): string => createHash('sha256').update(parts.join('\u0000')).digest('hex');

/**
 * The `RoleSessionName` for one mint: `<principal>.<request id>.<hash>` with both parts sanitised to
 * STS's character set and truncated (principal ≤ 32, request id ≤ 20), and 8 hex characters of
 * SHA-256 over the unsanitised pair, so principals that sanitise alike still get different names.
 * Deterministic; always 2–64 characters of `[\w+=,.@-]`. It shows up in CloudTrail as the session.
 */
export function roleSessionName(principal: string, requestId: string): string {
  const who = sanitise(principal, STS_NAME_CHARS).slice(0, 32) || '_';
  const request = sanitise(requestId, STS_NAME_CHARS).slice(0, 20) || '_';
  return `${who}.${request}.${digest(principal, requestId).slice(0, 8)}`;
}

/**
 * The `SourceIdentity` naming the principal: the principal itself when it already fits STS's rules
 * (2–64 characters of `[\w+=,.@-]`), otherwise a sanitised, padded or truncated form; a truncated or
 * altered form ends in 8 hex characters of its SHA-256 so distinct principals stay distinct.
 */
export function sourceIdentity(principal: string): string {
  const clean = sanitise(principal, STS_NAME_CHARS);
  if (clean === principal && clean.length >= 2 && clean.length <= SOURCE_IDENTITY_MAX) return clean;
  return `${clean.slice(0, SOURCE_IDENTITY_MAX - 9)}.${digest(principal).slice(0, 8)}`;
}

/** The value of the `lakegate:principal` session tag: the principal in IAM's tag-value alphabet, ≤ 256 characters. */
export function sessionTagValue(principal: string): string {
  const clean = sanitise(principal, TAG_VALUE_CHARS);
  if (clean === principal && clean.length <= SESSION_TAG_VALUE_MAX) return clean;
  return `${clean.slice(0, SESSION_TAG_VALUE_MAX - 9)}.${digest(principal).slice(0, 8)}`;
}
