import { LakegateError } from '@lakegate/contracts';

export const STORAGE_SCHEMES = ['s3', 'abfss', 'gs'] as const;
export type StorageScheme = (typeof STORAGE_SCHEMES)[number];

const SCHEME_ALIASES: Record<string, StorageScheme> = { s3: 's3', s3a: 's3', s3n: 's3', abfss: 'abfss', abfs: 'abfss', gs: 'gs' };

/** A storage location after normalisation: the only form lakegate compares or scopes. */
export interface StorageUrl {
  readonly scheme: StorageScheme;
  /** Bucket (s3, gs) or `container@account.dfs.core.windows.net` (abfss), lower case. */
  readonly authority: string;
  readonly bucket: string;
  /** Azure storage account host, abfss only. */
  readonly accountHost?: string;
  /** Decoded path segments, never empty strings, `.` or `..`. */
  readonly segments: readonly string[];
  /** Canonical URL: `<scheme>://<authority>[/<segment>…]`, no trailing slash. */
  readonly url: string;
  /** The key prefix under the bucket, without leading or trailing slash ('' for the whole bucket). */
  readonly prefix: string;
}

const invalid = (input: string, why: string): LakegateError =>
  new LakegateError('INVALID_ARGUMENT', `Invalid storage location '${truncate(input)}': ${why}.`);

const truncate = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const GCS_BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
const AZ_CONTAINER = /^(?:\$root|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62})$/;
const AZ_ACCOUNT_HOST = /^[a-z0-9]{3,24}\.(?:dfs|blob)\.core\.windows\.net$/;
// Characters that make a segment mean different things to different readers.
// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const FORBIDDEN_IN_SEGMENT = /[\u0000-\u001f\u007f\\]/;

/**
 * Normalises a storage URL: scheme aliases (s3a, s3n → s3; abfs → abfss), bucket and account case,
 * duplicate slashes, `.` and `..`, percent-encoding. Rejects what stays ambiguous: encoded slashes,
 * control characters, backslashes, `..` above the bucket, query strings and fragments.
 */
export function normaliseLocation(input: string): StorageUrl {
  if (typeof input !== 'string' || input.length === 0) throw invalid(String(input), 'empty');
  if (input.length > 2048) throw invalid(input, 'longer than 2048 characters');
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)$/.exec(input);
  if (!m) throw invalid(input, 'expected <scheme>://<bucket>/<path> without query or fragment');
  const scheme = SCHEME_ALIASES[m[1]!.toLowerCase()];
  if (!scheme) throw invalid(input, `unsupported scheme '${m[1]}' (use s3, abfss or gs)`);
  const rawAuthority = m[2]!.toLowerCase();
  const segments = normaliseSegments(input, m[3] ?? '');

  let bucket: string;
  let accountHost: string | undefined;
  if (scheme === 'abfss') {
    const at = rawAuthority.split('@');
    if (at.length !== 2) throw invalid(input, 'abfss locations are abfss://<container>@<account>.dfs.core.windows.net/<path>');
    bucket = at[0]!;
    accountHost = at[1]!.replace('.blob.core.windows.net', '.dfs.core.windows.net');
    if (!AZ_CONTAINER.test(bucket)) throw invalid(input, `'${bucket}' is not a valid container name`);
    if (!AZ_ACCOUNT_HOST.test(accountHost)) throw invalid(input, `'${accountHost}' is not a storage account host`);
  } else {
    bucket = rawAuthority;
    const ok = scheme === 's3' ? S3_BUCKET.test(bucket) && !bucket.includes('..') : GCS_BUCKET.test(bucket);
    if (!ok) throw invalid(input, `'${bucket}' is not a valid bucket name`);
  }
  const authority = accountHost ? `${bucket}@${accountHost}` : bucket;
  const prefix = segments.join('/');
  const url = `${scheme}://${authority}${prefix ? `/${prefix.split('/').map(encodeSegment).join('/')}` : ''}`;
  return accountHost === undefined
    ? { scheme, authority, bucket, segments, url, prefix }
    : { scheme, authority, bucket, accountHost, segments, url, prefix };
}

/**
 * Normalised forms of locations the decision path sees again and again (external locations, the
 * storage locations of the tables and volumes being asked for), keyed by the string itself:
 * normaliseLocation is a pure function of it, so an entry can never go stale. Two generations of
 * at most NORMALISED_MAX entries each: a hit in the older one moves the entry to the current one,
 * and when the current one is full it becomes the older one. An entry stays for at least
 * NORMALISED_MAX other new locations after its last use, so locations in steady use survive a burst
 * of cold requests (a FIFO would lose them), and memory stays bounded. A miss costs one
 * normalisation, as without the memo.
 */
const NORMALISED_MAX = 4096;
let normalisedNow = new Map<string, StorageUrl>();
let normalisedBefore = new Map<string, StorageUrl>();

/**
 * normaliseLocation, remembered: the result is frozen and shared between callers. Invalid inputs
 * are not remembered; they throw every time, as normaliseLocation does.
 */
export function normalisedLocation(input: string): StorageUrl {
  const known = normalisedNow.get(input);
  if (known !== undefined) return known;
  let url = normalisedBefore.get(input);
  if (url === undefined) {
    url = normaliseLocation(input);
    Object.freeze(url.segments);
    Object.freeze(url);
  }
  if (normalisedNow.size >= NORMALISED_MAX) {
    normalisedBefore = normalisedNow;
    normalisedNow = new Map();
  }
  normalisedNow.set(input, url);
  return url;
}

function normaliseSegments(input: string, path: string): string[] {
  const out: string[] = [];
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      throw invalid(input, `malformed percent-encoding in '${raw}'`);
    }
    if (seg.includes('/')) throw invalid(input, 'an encoded slash makes the path ambiguous');
    if (FORBIDDEN_IN_SEGMENT.test(seg)) throw invalid(input, 'control characters and backslashes are not allowed');
    if (seg !== raw && (seg === '.' || seg === '..')) throw invalid(input, 'encoded dot segments are ambiguous');
    if (seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) throw invalid(input, "'..' climbs above the bucket");
      out.pop();
      continue;
    }
    out.push(seg);
  }
  return out;
}

/** Percent-encodes only what would change a segment's meaning in a URL. */
function encodeSegment(seg: string): string {
  return seg.replace(/[%?#\s]/g, (c) => encodeURIComponent(c));
}

/** True when `child` is `parent` or lies under it, on path-segment boundaries. */
export function locationCovers(parent: StorageUrl, child: StorageUrl): boolean {
  if (parent.scheme !== child.scheme || parent.authority !== child.authority) return false;
  if (child.segments.length < parent.segments.length) return false;
  for (let i = 0; i < parent.segments.length; i++) if (child.segments[i] !== parent.segments[i]) return false;
  return true;
}
