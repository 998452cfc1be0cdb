import { LakegateError, type StorageLocation } from '@lakegate/contracts';
import { locationCovers, normaliseLocation, type StorageUrl } from '@lakegate/domain';
import type { AwsPartition } from './aws-minter.config.js';

/** One statement of an IAM policy, as lakegate writes them. */
export interface IamPolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/** An IAM policy document. Version 2012-10-17 is required for the `${*}` escapes to mean anything. */
export interface IamPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly IamPolicyStatement[];
}

export interface SessionPolicyOptions {
  readonly partition: AwsPartition;
  /**
   * SSE-KMS keys by normalised location URL (`s3://bucket` or `s3://bucket/prefix`). Each location
   * uses the key of the most specific entry that covers it on segment boundaries.
   */
  readonly kmsKeyArns?: Readonly<Record<string, string>>;
}

/** STS's limit on the plaintext of an inline session policy, in characters. */
export const SESSION_POLICY_MAX_CHARS = 2048;

export const S3_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'] as const;
export const S3_WRITE_ACTIONS = ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'] as const;
export const KMS_READ_ACTIONS = ['kms:Decrypt'] as const;
export const KMS_WRITE_ACTIONS = ['kms:GenerateDataKey', 'kms:Encrypt'] as const;

/** The policy used when nothing would be granted: a session policy that denies everything. */
export const DENY_ALL_POLICY: IamPolicyDocument = Object.freeze({
  Version: '2012-10-17',
  Statement: Object.freeze([Object.freeze({ Effect: 'Deny', Action: '*', Resource: '*' })]),
});

/**
 * Escapes the characters IAM treats specially in ARNs and `StringLike` values: `*` and `?` are
 * wildcards and `${` starts a policy variable. IAM's own escapes `${*}`, `${?}` and `${$}` match
 * the literal characters. One pass, so an escape is never escaped again.
 */
export const escapeIamWildcards = (value: string): string => value.replace(/[*?$]/g, (c) => `\${${c}}`);

interface ScopedLocation {
  readonly location: StorageUrl;
  readonly write: boolean;
}

/**
 * The inline session policy for exactly these locations:
 * - objects: read = `s3:GetObject`, `s3:GetObjectVersion` on `<bucket>/<prefix>/*`; write adds put,
 *   delete and multipart; an empty prefix means the whole bucket (`<bucket>/*`);
 * - `s3:ListBucket` on the bucket, conditioned on `s3:prefix` being `<prefix>/` or under it (no
 *   condition for a whole bucket; a request without a prefix is then refused for prefix scopes);
 * - `s3:GetBucketLocation` on each bucket;
 * - `kms:Decrypt` (and `kms:GenerateDataKey`, `kms:Encrypt` for write) on the locations' keys.
 * A location inside another one adds nothing to the statements the outer one is in. Nothing to grant
 * yields {@link DENY_ALL_POLICY}. Throws INVALID_ARGUMENT for anything but normalisable s3 locations.
 */
export function buildSessionPolicy(locations: readonly StorageLocation[], options: SessionPolicyOptions): IamPolicyDocument {
  const scoped = distinctLocations(locations.map(parseLocation));
  if (scoped.length === 0) return DENY_ALL_POLICY;
  const { partition } = options;
  const bucketArn = (bucket: string) => `arn:${partition}:s3:::${bucket}`;
  const objectArn = (location: StorageUrl) =>
    `${bucketArn(location.bucket)}/${location.prefix === '' ? '*' : `${escapeIamWildcards(location.prefix)}/*`}`;

  const all = scoped.map((s) => s.location);
  const writes = scoped.filter((s) => s.write).map((s) => s.location);
  const readScope = outermost(all);
  const statements: IamPolicyStatement[] = [{ Effect: 'Allow', Action: S3_READ_ACTIONS, Resource: readScope.map(objectArn) }];
  if (writes.length > 0) statements.push({ Effect: 'Allow', Action: S3_WRITE_ACTIONS, Resource: outermost(writes).map(objectArn) });

  const buckets = unique(readScope.map((l) => l.bucket));
  const wholeBuckets = readScope.filter((l) => l.prefix === '').map((l) => l.bucket);
  if (wholeBuckets.length > 0) statements.push({ Effect: 'Allow', Action: 's3:ListBucket', Resource: wholeBuckets.map(bucketArn) });
  for (const bucket of buckets) {
    if (wholeBuckets.includes(bucket)) continue;
    // One statement per bucket: a shared condition would let one bucket's prefixes list another bucket.
    const prefixes = readScope.filter((l) => l.bucket === bucket).map((l) => escapeIamWildcards(l.prefix));
    statements.push({
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucketArn(bucket),
      Condition: { StringLike: { 's3:prefix': prefixes.flatMap((p) => [`${p}/`, `${p}/*`]) } },
    });
  }
  statements.push({ Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: buckets.map(bucketArn) });

  const keys = options.kmsKeyArns ?? {};
  const readKeys = unique(all.flatMap((l) => kmsKeysWithin(l, keys)));
  const writeKeys = unique(writes.flatMap((l) => kmsKeysWithin(l, keys)));
  if (readKeys.length > 0) statements.push({ Effect: 'Allow', Action: KMS_READ_ACTIONS, Resource: readKeys });
  if (writeKeys.length > 0) statements.push({ Effect: 'Allow', Action: KMS_WRITE_ACTIONS, Resource: writeKeys });

  return { Version: '2012-10-17', Statement: statements };
}

/** The policy as sent to STS: minified JSON. */
export const serialiseSessionPolicy = (policy: IamPolicyDocument): string => JSON.stringify(policy);

/**
 * Serialises the policy and checks it against STS's 2048-character plaintext limit, so an
 * oversized scope fails with a clear error before any call. Returns the JSON to send.
 */
export function checkSessionPolicySize(policy: IamPolicyDocument): string {
  const json = serialiseSessionPolicy(policy);
  if (json.length > SESSION_POLICY_MAX_CHARS) {
    throw new LakegateError(
      'INVALID_ARGUMENT',
      `The AWS session policy for this scope is ${json.length} characters; STS accepts at most ${SESSION_POLICY_MAX_CHARS}. Request fewer or broader locations.`,
      { details: { policyChars: json.length, maxPolicyChars: SESSION_POLICY_MAX_CHARS } },
    );
  }
  return json;
}

/**
 * The KMS keys objects under `location` may be encrypted with: the key of the most specific
 * configured location covering it, plus the keys configured for locations inside it.
 */
export function kmsKeysWithin(location: StorageUrl, kmsKeyArns: Readonly<Record<string, string>>): string[] {
  let covering: { depth: number; keyArn: string } | undefined;
  const inside: string[] = [];
  for (const [url, keyArn] of Object.entries(kmsKeyArns)) {
    const keyLocation = normaliseLocation(url);
    if (locationCovers(keyLocation, location)) {
      if (covering === undefined || keyLocation.segments.length > covering.depth) covering = { depth: keyLocation.segments.length, keyArn };
    } else if (locationCovers(location, keyLocation)) {
      inside.push(keyArn);
    }
  }
  return unique([...(covering ? [covering.keyArn] : []), ...inside]);
}

function parseLocation(input: StorageLocation): ScopedLocation {
  if (input.access !== 'read' && input.access !== 'write') {
    throw new LakegateError('INVALID_ARGUMENT', `Unknown access '${String(input.access)}' for '${input.url}'; expected read or write.`);
  }
  const location = normaliseLocation(input.url);
  if (location.scheme !== 's3') {
    throw new LakegateError('INVALID_ARGUMENT', `The AWS minter only scopes s3 locations; got '${location.url}'.`);
  }
  return { location, write: input.access === 'write' };
}

/** One entry per URL (write wins over read), in a stable order. */
function distinctLocations(locations: readonly ScopedLocation[]): ScopedLocation[] {
  const byUrl = new Map<string, ScopedLocation>();
  for (const l of locations) {
    const seen = byUrl.get(l.location.url);
    if (!seen || (l.write && !seen.write)) byUrl.set(l.location.url, l);
  }
  return [...byUrl.values()].sort((a, b) => compare(a.location.bucket, b.location.bucket) || compare(a.location.prefix, b.location.prefix));
}

/** The locations not covered by another one of the same list (the list has no duplicate URLs). */
const outermost = (locations: readonly StorageUrl[]): StorageUrl[] =>
  locations.filter((l) => !locations.some((o) => o !== l && locationCovers(o, l)));

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];
