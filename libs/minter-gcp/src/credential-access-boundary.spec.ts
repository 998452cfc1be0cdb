import type { StorageLocation } from '@lakegate/contracts';
import { LakegateError } from '@lakegate/contracts';
import { describe, expect, it } from 'vitest';
import {
  buildCredentialAccessBoundary,
  bucketResource,
  celStringLiteral,
  GCS_READ_PERMISSION,
  GCS_WRITE_PERMISSION,
  MAX_ACCESS_BOUNDARY_RULES,
  objectPrefixCondition,
  type AccessBoundaryRule,
} from './credential-access-boundary.js';

const cond = (bucket: string, ...prefixes: string[]) =>
  prefixes
    .map(
      (p) =>
        `resource.name.startsWith('projects/_/buckets/${bucket}/objects/${p}/') || ` +
        `api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('${p}/')`,
    )
    .join(' || ');
const read = (bucket: string, ...prefixes: string[]): AccessBoundaryRule =>
  prefixes.length === 0
    ? { availableResource: `//storage.googleapis.com/projects/_/buckets/${bucket}`, availablePermissions: ['inRole:roles/storage.objectViewer'] }
    : { availableResource: `//storage.googleapis.com/projects/_/buckets/${bucket}`, availablePermissions: ['inRole:roles/storage.objectViewer'], availabilityCondition: { expression: cond(bucket, ...prefixes) } };
const write = (bucket: string, ...prefixes: string[]): AccessBoundaryRule =>
  prefixes.length === 0
    ? { availableResource: `//storage.googleapis.com/projects/_/buckets/${bucket}`, availablePermissions: ['inRole:roles/storage.objectAdmin'] }
    : { availableResource: `//storage.googleapis.com/projects/_/buckets/${bucket}`, availablePermissions: ['inRole:roles/storage.objectAdmin'], availabilityCondition: { expression: cond(bucket, ...prefixes) } };
const r = (url: string): StorageLocation => ({ url, access: 'read' });
const w = (url: string): StorageLocation => ({ url, access: 'write' });

function failure(fn: () => unknown): LakegateError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LakegateError);
    return error as LakegateError;
  }
  throw new Error('expected a LakegateError');
}

describe('buildCredentialAccessBoundary', () => {
  it('writes the exact rule DESIGN.md specifies for a read prefix', () => {
    expect(buildCredentialAccessBoundary([r('gs://data-lake/sales')])).toEqual({
      accessBoundary: {
        accessBoundaryRules: [
          {
            availableResource: '//storage.googleapis.com/projects/_/buckets/data-lake',
            availablePermissions: ['inRole:roles/storage.objectViewer'],
            availabilityCondition: {
              expression:
                "resource.name.startsWith('projects/_/buckets/data-lake/objects/sales/') || " +
                "api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('sales/')",
            },
          },
        ],
      },
    });
  });

  it.each<[string, StorageLocation[], AccessBoundaryRule[]]>([
    ['a write prefix', [w('gs://data-lake/staging/alice')], [write('data-lake', 'staging/alice')]],
    ['a whole bucket, read', [r('gs://data-lake')], [read('data-lake')]],
    ['a whole bucket, write', [w('gs://data-lake/')], [write('data-lake')]],
    ['two prefixes of one bucket: one rule, prefixes sorted', [r('gs://data-lake/sales'), r('gs://data-lake/marketing')], [read('data-lake', 'marketing', 'sales')]],
    ['read and write prefixes of one bucket: read rule first', [w('gs://data-lake/staging'), r('gs://data-lake/sales')], [read('data-lake', 'sales'), write('data-lake', 'staging')]],
    ['a read under a write adds nothing', [w('gs://data-lake/sales'), r('gs://data-lake/sales/2024')], [write('data-lake', 'sales')]],
    ['a write under a read keeps both', [r('gs://data-lake/sales'), w('gs://data-lake/sales/staging')], [read('data-lake', 'sales'), write('data-lake', 'sales/staging')]],
    ['a nested read collapses into the outer one', [r('gs://data-lake/sales/2024'), r('gs://data-lake/sales')], [read('data-lake', 'sales')]],
    ['a sibling with a shared string prefix stays separate', [r('gs://data-lake/sales'), r('gs://data-lake/sales_archive')], [read('data-lake', 'sales', 'sales_archive')]],
    ['the same URL twice: write wins', [r('gs://data-lake/sales'), w('gs://data-lake/sales')], [write('data-lake', 'sales')]],
    ['a whole-bucket read with a prefix write', [r('gs://data-lake'), w('gs://data-lake/staging')], [read('data-lake'), write('data-lake', 'staging')]],
    ['a whole-bucket write absorbs every read', [w('gs://data-lake'), r('gs://data-lake/sales'), r('gs://data-lake')], [write('data-lake')]],
    ['buckets in name order', [r('gs://zeta-bucket/a'), w('gs://alpha-bucket/b'), r('gs://alpha-bucket/c')], [read('alpha-bucket', 'c'), write('alpha-bucket', 'b'), read('zeta-bucket', 'a')]],
    ['normalised first: case, slashes, dot segments, percent-encoding', [r('gs://Data-Lake//sales/./2024/../%32025/')], [read('data-lake', 'sales/2025')]],
  ])('%s', (_name, locations, rules) => {
    expect(buildCredentialAccessBoundary(locations).accessBoundary.accessBoundaryRules).toEqual(rules);
  });

  it('does not depend on the order of the locations', () => {
    const locations = [r('gs://b-one/x'), w('gs://b-two/y'), r('gs://b-one/z'), w('gs://b-one/x/deeper'), r('gs://b-two')];
    const expected = buildCredentialAccessBoundary(locations);
    expect(buildCredentialAccessBoundary([...locations].reverse())).toEqual(expected);
    expect(buildCredentialAccessBoundary([2, 0, 4, 1, 3].flatMap((i) => locations.slice(i, i + 1)))).toEqual(expected);
  });

  it(`accepts exactly ${MAX_ACCESS_BOUNDARY_RULES} rules and refuses more, before any call`, () => {
    const ten = Array.from({ length: 5 }, (_, i) => [r(`gs://bucket-${i}/r`), w(`gs://bucket-${i}/w`)]).flat();
    expect(buildCredentialAccessBoundary(ten).accessBoundary.accessBoundaryRules).toHaveLength(10);
    const error = failure(() => buildCredentialAccessBoundary([...ten, r('gs://bucket-9/x')]));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/11 access boundary rules.*at most 10/);
    expect(error.details).toEqual({ rules: 11, maxRules: 10 });
  });

  it('keeps many prefixes of one bucket in one rule', () => {
    const many = Array.from({ length: 40 }, (_, i) => r(`gs://data-lake/p${String(i).padStart(2, '0')}`));
    const rules = buildCredentialAccessBoundary(many).accessBoundary.accessBoundaryRules;
    expect(rules).toHaveLength(1);
    expect(rules[0]?.availabilityCondition?.expression.match(/resource\.name\.startsWith/g)).toHaveLength(40);
  });

  it.each([
    ['an s3 location', [r('s3://data-lake/sales')], /only scopes gs locations/],
    ['an abfss location', [r('abfss://lake@acct1.dfs.core.windows.net/x')], /only scopes gs locations/],
    ['an unknown access', [{ url: 'gs://data-lake/x', access: 'admin' } as unknown as StorageLocation], /Unknown access 'admin'/],
    ['no location', [], /No storage location/],
    ['a path climbing above the bucket', [r('gs://data-lake/../x')], /climbs above the bucket/],
    ['an encoded slash', [r('gs://data-lake/a%2Fb')], /encoded slash/],
    ['an invalid bucket name', [r('gs://A_/x')], /not a valid bucket name/],
  ])('refuses %s with INVALID_ARGUMENT', (_name, locations, message) => {
    const error = failure(() => buildCredentialAccessBoundary(locations));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(message);
  });

  it('uses the role and resource constants', () => {
    expect(GCS_READ_PERMISSION).toBe('inRole:roles/storage.objectViewer');
    expect(GCS_WRITE_PERMISSION).toBe('inRole:roles/storage.objectAdmin');
    expect(bucketResource('b-1')).toBe('//storage.googleapis.com/projects/_/buckets/b-1');
  });
});

describe('celStringLiteral', () => {
  it.each([
    ['', "''"],
    ['sales', "'sales'"],
    ["it's", "'it\\'s'"],
    ['say "hi"', `'say \\"hi\\"'`],
    ['back\\slash', "'back\\\\slash'"],
    ["\\'", "'\\\\\\''"],
    ['line\nbreak\ttab\rcr', "'line\\u000abreak\\u0009tab\\u000dcr'"],
    ['nul\u0000del\u007fnel\u0085', "'nul\\u0000del\\u007fnel\\u0085'"],
    ['ls\u2028ps\u2029', "'ls\\u2028ps\\u2029'"],
    ['é日😀 ', "'é日😀 '"],
    ["') || true || ('", "'\\') || true || (\\''"],
  ])('%j → %s', (value, literal) => {
    expect(celStringLiteral(value)).toBe(literal);
  });

  it('refuses a lone surrogate', () => {
    expect(failure(() => celStringLiteral('a\ud800b')).code).toBe('INVALID_ARGUMENT');
    expect(failure(() => celStringLiteral('\udc00')).code).toBe('INVALID_ARGUMENT');
  });
});

describe('objectPrefixCondition', () => {
  it('always ends the prefix with a slash and escapes both literals', () => {
    expect(objectPrefixCondition('data-lake', ["q'x\\y"])).toBe(
      "resource.name.startsWith('projects/_/buckets/data-lake/objects/q\\'x\\\\y/') || " +
        "api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('q\\'x\\\\y/')",
    );
  });

  it('refuses an empty prefix (a whole bucket needs no condition)', () => {
    expect(failure(() => objectPrefixCondition('data-lake', ['a', ''])).code).toBe('INVALID_ARGUMENT');
  });
});
