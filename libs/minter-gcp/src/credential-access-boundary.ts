import { LakegateError, type StorageLocation } from '@lakegate/contracts';
import { locationCovers, normaliseLocation, type StorageUrl } from '@lakegate/domain';

/** A CEL condition that narrows a rule; see {@link buildCredentialAccessBoundary}. */
export interface AvailabilityCondition {
  readonly expression: string;
  readonly title?: string;
  readonly description?: string;
}

/** One rule: an upper bound of permissions on one resource (a bucket), optionally conditioned. */
export interface AccessBoundaryRule {
  readonly availableResource: string;
  readonly availablePermissions: readonly string[];
  readonly availabilityCondition?: AvailabilityCondition;
}

/** A Credential Access Boundary, as STS takes it in the token exchange's `options`. */
export interface CredentialAccessBoundary {
  readonly accessBoundary: { readonly accessBoundaryRules: readonly AccessBoundaryRule[] };
}

/** The STS limit on rules in one boundary. */
export const MAX_ACCESS_BOUNDARY_RULES = 10;
/** read = list and get objects. */
export const GCS_READ_PERMISSION = 'inRole:roles/storage.objectViewer';
/** write = read plus create, overwrite and delete objects (and multipart uploads). */
export const GCS_WRITE_PERMISSION = 'inRole:roles/storage.objectAdmin';
/** The request attribute GCS sets on `objects.list` to the requested prefix. */
export const OBJECT_LIST_PREFIX_ATTRIBUTE = 'storage.googleapis.com/objectListPrefix';

/** The boundary resource name of a bucket. */
export const bucketResource = (bucket: string): string => `//storage.googleapis.com/projects/_/buckets/${bucket}`;

// Lone surrogates cannot be written as a CEL string (its \u escapes exclude them) nor be part of an object name.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A single-quoted CEL string literal of `value`: backslashes and both quote characters are escaped,
 * and control characters (C0, DEL, C1, U+2028/9) become `\uXXXX`; everything else is literal.
 * Throws INVALID_ARGUMENT for a string with a lone surrogate, which no CEL literal can hold.
 */
export function celStringLiteral(value: string): string {
  if (LONE_SURROGATE.test(value)) throw new LakegateError('INVALID_ARGUMENT', 'A storage path is not valid Unicode (lone surrogate).');
  let out = "'";
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

/**
 * The CEL condition allowing objects under any of `prefixes` of `bucket`, and listing with a prefix
 * under them: per prefix, `resource.name.startsWith('projects/_/buckets/<b>/objects/<prefix>/') ||
 * api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('<prefix>/')`. The
 * trailing slash keeps `sales` from reaching `sales_archive`; prefixes must be non-empty.
 */
export function objectPrefixCondition(bucket: string, prefixes: readonly string[]): string {
  return prefixes
    .map((prefix) => {
      if (prefix === '') throw new LakegateError('INVALID_ARGUMENT', `An empty prefix on bucket '${bucket}' needs no condition.`);
      return (
        `resource.name.startsWith(${celStringLiteral(`projects/_/buckets/${bucket}/objects/${prefix}/`)}) || ` +
        `api.getAttribute(${celStringLiteral(OBJECT_LIST_PREFIX_ATTRIBUTE)}, '').startsWith(${celStringLiteral(`${prefix}/`)})`
      );
    })
    .join(' || ');
}

interface ScopedLocation {
  readonly location: StorageUrl;
  readonly write: boolean;
}

/**
 * The Credential Access Boundary for exactly these `gs://` locations: one rule per bucket and access
 * level, on `//storage.googleapis.com/projects/_/buckets/<b>`, with `roles/storage.objectViewer` for
 * read and `roles/storage.objectAdmin` for write, conditioned by {@link objectPrefixCondition} on the
 * prefixes (no condition when the whole bucket is granted). A location inside another one of the same
 * or a stronger access adds nothing. Rules are ordered by bucket, read before write.
 * Throws INVALID_ARGUMENT for non-gs or unnormalisable locations, for nothing to grant, and for more
 * than {@link MAX_ACCESS_BOUNDARY_RULES} rules.
 */
export function buildCredentialAccessBoundary(locations: readonly StorageLocation[]): CredentialAccessBoundary {
  const scoped = distinctLocations(locations.map(parseLocation));
  if (scoped.length === 0) throw new LakegateError('INVALID_ARGUMENT', 'No storage location to scope a GCP token to.');

  const rules: AccessBoundaryRule[] = [];
  for (const bucket of unique(scoped.map((s) => s.location.bucket))) {
    const inBucket = scoped.filter((s) => s.location.bucket === bucket);
    const writes = outermost(inBucket.filter((s) => s.write).map((s) => s.location));
    // objectAdmin includes objectViewer, so a read under a written location needs no read rule.
    const reads = outermost(inBucket.filter((s) => !s.write).map((s) => s.location)).filter((r) => !writes.some((w) => locationCovers(w, r)));
    if (reads.length > 0) rules.push(rule(bucket, GCS_READ_PERMISSION, reads));
    if (writes.length > 0) rules.push(rule(bucket, GCS_WRITE_PERMISSION, writes));
  }
  if (rules.length > MAX_ACCESS_BOUNDARY_RULES) {
    throw new LakegateError(
      'INVALID_ARGUMENT',
      `This scope needs ${rules.length} access boundary rules (one per bucket and access level); GCP allows at most ${MAX_ACCESS_BOUNDARY_RULES}. Request fewer buckets.`,
      { details: { rules: rules.length, maxRules: MAX_ACCESS_BOUNDARY_RULES } },
    );
  }
  return { accessBoundary: { accessBoundaryRules: rules } };
}

function rule(bucket: string, permission: string, locations: readonly StorageUrl[]): AccessBoundaryRule {
  const base = { availableResource: bucketResource(bucket), availablePermissions: [permission] };
  if (locations.some((l) => l.prefix === '')) return base;
  return { ...base, availabilityCondition: { expression: objectPrefixCondition(bucket, locations.map((l) => l.prefix)) } };
}

function parseLocation(input: StorageLocation): ScopedLocation {
  if (input.access !== 'read' && input.access !== 'write') {
    throw new LakegateError('INVALID_ARGUMENT', `Unknown access '${String(input.access)}' for '${input.url}'; expected read or write.`);
  }
  const location = normaliseLocation(input.url);
  if (location.scheme !== 'gs') throw new LakegateError('INVALID_ARGUMENT', `The GCP minter only scopes gs locations; got '${location.url}'.`);
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
const outermost = (locations: readonly StorageUrl[]): StorageUrl[] => locations.filter((l) => !locations.some((o) => o !== l && locationCovers(o, l)));

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];
