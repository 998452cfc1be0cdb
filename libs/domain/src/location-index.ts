import { normaliseLocation, type StorageUrl } from './storage-url.js';

/**
 * Where catalog objects (tables, volumes, partitions) keep their files, so that "does this path
 * overlap an object?" costs a lookup per path segment instead of a scan of every object. Kept up to
 * date by applyCatalogEntry as objects are put and removed.
 */
export interface LocationIndex {
  /** Canonical URL of an object's location → the objects there (object key → how to name it). */
  readonly exact: Map<string, Map<string, string>>;
  /** Canonical URL of every proper ancestor of an object location → how many lie under it, and one of them. */
  readonly ancestors: Map<string, { count: number; label: string }>;
  /** Object key → the canonical URL it was indexed under. */
  readonly byObject: Map<string, string>;
}

/** Keys of indexed locations, one per object location. */
export const LOCATION_KEYS = {
  table: (tableId: string) => `table:${tableId}`,
  auxiliary: (tableId: string, i: number) => `table:${tableId}:aux:${i}`,
  volume: (volumeId: string) => `volume:${volumeId}`,
  /** `valuesKey`: the partition's values as their JSON array (partitionValuesKey). */
  partition: (tableId: string, valuesKey: string) => `partition:${tableId}:${valuesKey}`,
} as const;

export const emptyLocationIndex = (): LocationIndex => ({ exact: new Map(), ancestors: new Map(), byObject: new Map() });

/** The canonical URLs of a location's proper ancestors, from the bucket (or container) down. */
function ancestorsOf(url: StorageUrl): string[] {
  const root = `${url.scheme}://${url.authority}`;
  const out: string[] = [];
  let current = root;
  // Segments are encoded in `url` exactly as they appear after the root, one `/` apart.
  const rest = url.url.slice(root.length);
  const parts = rest.split('/').slice(1);
  for (let i = 0; i < parts.length; i++) {
    out.push(current);
    current = `${current}/${parts[i]}`;
  }
  return out;
}

/** Indexes (or re-indexes) one object; a location that does not parse is left out (it can never be vended). */
export function indexLocation(index: LocationIndex, objectKey: string, location: string, label: string): void {
  unindexLocation(index, objectKey);
  let url: StorageUrl;
  try {
    url = normaliseLocation(location);
  } catch {
    return;
  }
  let here = index.exact.get(url.url);
  if (!here) index.exact.set(url.url, (here = new Map()));
  here.set(objectKey, label);
  for (const a of ancestorsOf(url)) {
    const entry = index.ancestors.get(a);
    if (entry) {
      entry.count++;
      entry.label = label;
    } else {
      index.ancestors.set(a, { count: 1, label });
    }
  }
  index.byObject.set(objectKey, url.url);
}

export function unindexLocation(index: LocationIndex, objectKey: string): void {
  const indexed = index.byObject.get(objectKey);
  if (indexed === undefined) return;
  index.byObject.delete(objectKey);
  const here = index.exact.get(indexed);
  const label = here?.get(objectKey);
  here?.delete(objectKey);
  if (here?.size === 0) index.exact.delete(indexed);
  for (const a of ancestorsOf(normaliseLocation(indexed))) {
    const entry = index.ancestors.get(a);
    if (!entry) continue;
    entry.count--;
    if (entry.count === 0) index.ancestors.delete(a);
    else if (entry.label === label) entry.label = `${entry.count} other catalog object(s)`;
  }
}

/**
 * How an object overlapping `target` is named — one whose location is `target`, lies above it or
 * lies under it — or undefined when none does. Objects in `own` (keys) are not counted: a table's
 * partitions may overlap the table itself.
 */
export function objectOverlapping(index: LocationIndex, target: StorageUrl, own?: ReadonlySet<string>): string | undefined {
  for (const candidate of [...ancestorsOf(target), target.url]) {
    const here = index.exact.get(candidate);
    if (!here) continue;
    for (const [key, label] of here) if (!own?.has(key)) return label;
  }
  const under = index.ancestors.get(target.url);
  if (!under) return undefined;
  if (!own || own.size === 0) return under.label;
  let ownUnder = 0;
  for (const key of own) if (index.byObject.get(key)?.startsWith(`${target.url}/`)) ownUnder++;
  return under.count > ownUnder ? `${under.count - ownUnder} catalog object(s) under it` : undefined;
}
