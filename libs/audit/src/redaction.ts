import { createHmac, timingSafeEqual } from 'node:crypto';
import { LakegateError } from '@lakegate/contracts';

/** Prefix of every redacted value: `hmac-sha256:<64 hex digits>`. */
export const HMAC_PREFIX = 'hmac-sha256:';

/** Bounds that keep a hostile request from inflating its audit record. */
export interface RedactionLimits {
  /** Nesting levels kept below the top-level object; a deeper object or array becomes a marker string. */
  readonly maxDepth: number;
  /** Longer strings are cut to this many UTF-16 code units plus a marker. */
  readonly maxStringLength: number;
  /** Longer keys are cut (after they have been classified on their full text). */
  readonly maxKeyLength: number;
  /** Members kept per object; the rest are counted under `TRUNCATED_KEYS_MEMBER`. */
  readonly maxObjectKeys: number;
  /** Items kept per array; a final marker string counts the rest. */
  readonly maxArrayItems: number;
  /** Values (containers and leaves) kept in one redacted tree. */
  readonly maxNodes: number;
  /** Characters of plain strings kept in one redacted tree; later strings are cut to markers. */
  readonly maxTotalStringChars: number;
}

export const DEFAULT_REDACTION_LIMITS: RedactionLimits = {
  maxDepth: 8,
  maxStringLength: 2048,
  maxKeyLength: 128,
  maxObjectKeys: 64,
  maxArrayItems: 64,
  maxNodes: 1000,
  maxTotalStringChars: 32_768,
};

/** Member added to an object that had more members than `maxObjectKeys`: how many were dropped. */
export const TRUNCATED_KEYS_MEMBER = '…truncatedKeys';

const MIN_KEY_BYTES = 16;
const HMAC_FORM = /^hmac-sha256:[0-9a-f]{64}$/;

// Words that make a key secret wherever they appear in it ("sessionToken", "X-Amz-Signature", "db_password").
const SECRET_WORDS = new Set([
  'secret', 'secrets', 'token', 'tokens', 'password', 'passwords', 'passwd', 'pwd', 'passphrase',
  'sas', 'sig', 'signature', 'signatures', 'authorization', 'bearer', 'mac', 'hmac', 'cookie', 'cookies', 'jwt',
]);
// Substrings of the key with separators removed, for keys written without word boundaries ("SASTOKEN", "apikey").
const SECRET_FRAGMENTS = ['secret', 'password', 'passwd', 'token', 'signature', 'authorization', 'apikey', 'privatekey', 'sessionkey'];
// Words that name a credential: a string directly under such a key is secret, an object under it is walked.
const CREDENTIAL_WORDS = new Set(['credential', 'credentials', 'cred', 'creds']);
// A key ending in one of these describes a secret rather than holding it ("tokenType", "QueryAuthorizationId").
const DESCRIPTIVE_LAST_WORDS = new Set([
  'id', 'ids', 'arn', 'arns', 'name', 'names', 'type', 'types', 'scope', 'expiration', 'expiry', 'expires', 'at',
  'time', 'ttl', 'seconds', 'duration', 'version', 'method', 'count', 'length',
]);

/**
 * Shapes of values that are secrets whatever key they sit under. Every pattern is linear in the
 * input length (anchored, or starting only at a token boundary), so a hostile string cannot make
 * redaction slow.
 */
const SECRET_VALUE_PATTERNS: readonly RegExp[] = [
  // JWT / JWS compact form: base64url JSON header, payload, signature.
  /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/,
  // Signed URLs and query strings: Azure SAS (`sig=`), S3 presigned, GCS signed, OAuth.
  /(?:^|[?&;\s])(?:sig|signature|x-amz-signature|x-amz-security-token|x-amz-credential|x-goog-signature|x-goog-credential|access_token|id_token|refresh_token|client_secret|password|token)=/i,
  // Authorization header values.
  /^(?:bearer|basic|negotiate)\s+[A-Za-z0-9._~+/=-]{8,}$/i,
  /\bbearer\s+[A-Za-z0-9._~+/-]{16,}/i,
  /\bAWS4-HMAC-SHA256\s+Credential=/i,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  // Google OAuth access tokens.
  /^ya29\.[A-Za-z0-9._-]{10,}$/,
  // Long opaque base64 blobs mixing letter cases and digits: STS session tokens (`IQoJb3JpZ2lu…`) and the like.
  /^(?=[^a-z]*[a-z])(?=[^A-Z]*[A-Z])(?=[^0-9]*[0-9])[A-Za-z0-9+/_-]{100,}={0,2}$/,
  // AWS secret access keys: 40 base64 characters mixing upper case, lower case and digits.
  /^(?=[^a-z]*[a-z])(?=[^A-Z]*[A-Z])(?=[^0-9]*[0-9])[A-Za-z0-9+/]{40}$/,
];

/** Splits a key into lower-case words on camelCase, acronym, snake, kebab and dotted boundaries. */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

type KeyClass = 'plain' | 'secret' | 'credential';

function isDescriptiveKey(key: string): boolean {
  const words = keyWords(key);
  const last = words[words.length - 1];
  return last !== undefined && DESCRIPTIVE_LAST_WORDS.has(last);
}

function classifyKey(key: string): KeyClass {
  const words = keyWords(key);
  const last = words[words.length - 1];
  if (last === undefined || DESCRIPTIVE_LAST_WORDS.has(last)) return 'plain';
  const compact = words.join('');
  if (words.some((w) => SECRET_WORDS.has(w)) || SECRET_FRAGMENTS.some((f) => compact.includes(f))) return 'secret';
  if (words.some((w) => CREDENTIAL_WORDS.has(w))) return 'credential';
  return 'plain';
}

/** True when a member with this name holds a secret (or, for credential names, may hold one). */
export function isSecretKeyName(key: string): boolean {
  return classifyKey(key) !== 'plain';
}

/** True when the string has the shape of a secret (JWT, SAS or signed URL, session token, …). */
export function looksLikeSecret(value: string): boolean {
  return SECRET_VALUE_PATTERNS.some((p) => p.test(value));
}

/**
 * How a value is treated. `none`: only secret-shaped strings are redacted. `all` (below a secret
 * key): every string and number is secret. `credential` (below a credential key): strings and
 * numbers are secret, and in an object only members named like descriptions (`accessKeyId`,
 * `expiration`, `type`) keep their plain values.
 */
type Mode = 'none' | 'all' | 'credential';

const OMIT = Symbol('omit');

interface Budget {
  nodes: number;
  chars: number;
}

const isContainer = (value: unknown): boolean =>
  value !== null && typeof value === 'object' && !(value instanceof Date) && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer);

/**
 * Redacts what goes into an audit record, the way Vault's audit broker does: secrets are replaced
 * with `hmac-sha256:<hex>` under a server key, so a known value can still be checked against the
 * log (`matches`) without the log holding it.
 */
export class AuditRedactor {
  readonly limits: RedactionLimits;
  readonly #key: Buffer;

  constructor(hmacKey: Uint8Array, limits: Partial<RedactionLimits> = {}) {
    if (!(hmacKey instanceof Uint8Array) || hmacKey.byteLength < MIN_KEY_BYTES) {
      throw new LakegateError('INVALID_ARGUMENT', `The audit HMAC key must be at least ${MIN_KEY_BYTES} bytes.`);
    }
    // A copy: the caller may zero or reuse its buffer.
    this.#key = Buffer.from(hmacKey);
    this.limits = { ...DEFAULT_REDACTION_LIMITS, ...limits };
  }

  /** `hmac-sha256:<hex>` of the UTF-8 value under this redactor's key. */
  hmac(value: string): string {
    return HMAC_PREFIX + createHmac('sha256', this.#key).update(value, 'utf8').digest('hex');
  }

  /** Whether `stored` is this redactor's HMAC of `value`, compared in constant time. */
  matches(value: string, stored: string): boolean {
    if (typeof value !== 'string' || typeof stored !== 'string') return false;
    const expected = Buffer.from(this.hmac(value), 'utf8');
    const actual = Buffer.from(stored, 'utf8');
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  /** One free-form string (user agent, error message, resource name): HMAC'd if it looks secret, else bounded. */
  redactString(value: string): string {
    return this.#redactText(value, false, { nodes: 1, chars: this.limits.maxStringLength });
  }

  /**
   * Walks objects and arrays and returns a bounded copy in which every secret (by its key or by its
   * shape) is replaced with its HMAC. Numbers under secret keys count as secrets too. Non-JSON
   * values are dropped (`undefined`, functions, symbols) or rendered (`Date`, bigint, bytes).
   */
  redactParameters(params: Record<string, unknown>): Record<string, unknown> {
    const budget: Budget = { nodes: this.limits.maxNodes, chars: this.limits.maxTotalStringChars };
    const out = this.#redactValue(params, 'none', 0, budget);
    return out !== null && typeof out === 'object' && !Array.isArray(out) ? (out as Record<string, unknown>) : {};
  }

  #redactText(value: string, secret: boolean, budget: Budget): string {
    if (HMAC_FORM.test(value)) return value;
    if (secret || looksLikeSecret(value)) return this.hmac(value);
    const kept = truncate(value, Math.max(0, Math.min(this.limits.maxStringLength, budget.chars)));
    budget.chars -= Math.min(value.length, this.limits.maxStringLength);
    return kept;
  }

  #redactValue(value: unknown, mode: Mode, depth: number, budget: Budget): unknown {
    budget.nodes -= 1;
    const secret = mode !== 'none';
    switch (typeof value) {
      case 'string':
        return this.#redactText(value, secret, budget);
      case 'number':
        if (!Number.isFinite(value)) return null;
        return secret ? this.hmac(String(value)) : value;
      case 'bigint':
        return this.#redactText(value.toString(), secret, budget);
      case 'boolean':
        return value;
      case 'undefined':
      case 'function':
      case 'symbol':
        return OMIT;
    }
    if (value === null) return null;
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      const bytes = ArrayBuffer.isView(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : Buffer.from(value);
      return secret ? this.hmac(bytes.toString('base64')) : `[binary ${bytes.byteLength} bytes]`;
    }
    if (depth >= this.limits.maxDepth) return `[truncated: nested deeper than ${this.limits.maxDepth} levels]`;

    if (Array.isArray(value)) {
      const out: unknown[] = [];
      const kept = Math.min(value.length, this.limits.maxArrayItems);
      let i = 0;
      for (; i < kept && budget.nodes > 0; i++) {
        const item = this.#redactValue(value[i], mode, depth + 1, budget);
        out.push(item === OMIT ? null : item);
      }
      if (i < value.length) out.push(`[truncated: ${value.length - i} more items]`);
      return out;
    }

    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    let kept = 0;
    let dropped = 0;
    for (const key of Object.keys(source)) {
      if (kept >= this.limits.maxObjectKeys || budget.nodes <= 0) {
        dropped += 1;
        continue;
      }
      const member = source[key];
      const item = this.#redactValue(member, memberMode(mode, key, member), depth + 1, budget);
      if (item === OMIT) continue;
      // defineProperty, not assignment: a member named `__proto__` stays a member.
      Object.defineProperty(out, this.#redactKey(key), { value: item, enumerable: true, writable: true, configurable: true });
      kept += 1;
    }
    if (dropped > 0) out[TRUNCATED_KEYS_MEMBER] = dropped;
    return out;
  }

  #redactKey(key: string): string {
    if (looksLikeSecret(key)) return this.hmac(key);
    return truncate(key, this.limits.maxKeyLength);
  }
}

function memberMode(parent: Mode, key: string, member: unknown): Mode {
  if (parent === 'all') return 'all';
  const keyClass = classifyKey(key);
  if (keyClass === 'secret') return 'all';
  if (keyClass === 'credential') return 'credential';
  if (parent === 'credential') {
    if (!isDescriptiveKey(key)) return 'all';
    // A description is plain, but a container under it still belongs to the credential.
    return isContainer(member) ? 'credential' : 'none';
  }
  return 'none';
}

function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  // Never split a surrogate pair.
  const cut = /[\uD800-\uDBFF]/.test(value.charAt(max - 1)) ? max - 1 : max;
  return `${value.slice(0, cut)}…[truncated ${value.length - cut} chars]`;
}
