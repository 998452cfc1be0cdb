import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { locationCovers, normaliseLocation } from './storage-url.js';

describe('normaliseLocation', () => {
  it.each([
    ['s3://Bucket-1/a/b', 's3://bucket-1/a/b'],
    ['s3a://bucket/a//b/', 's3://bucket/a/b'],
    ['s3n://bucket/./a/x/../b', 's3://bucket/a/b'],
    ['s3://bucket/a%20b/c', 's3://bucket/a%20b/c'],
    ['s3://bucket/%61bc', 's3://bucket/abc'],
    ['s3://bucket', 's3://bucket'],
    ['s3://bucket/', 's3://bucket'],
    ['gs://my_bucket/p', 'gs://my_bucket/p'],
    ['abfs://Data@Acct1.dfs.core.windows.net/x', 'abfss://data@acct1.dfs.core.windows.net/x'],
    ['abfss://data@acct1.blob.core.windows.net/x', 'abfss://data@acct1.dfs.core.windows.net/x'],
  ])('%s → %s', (input, url) => {
    expect(normaliseLocation(input).url).toBe(url);
  });

  it.each([
    ['', 'empty'],
    ['http://bucket/a', 'unsupported scheme'],
    ['s3://bucket/a/%2F/b', 'encoded slash'],
    ['s3://bucket/a/%2e%2e/b', 'encoded dot'],
    ['s3://bucket/../x', 'climbs above'],
    ['s3://bucket/a?x=1', 'without query'],
    ['s3://bucket/a#f', 'without query'],
    ['s3://bucket/a\\b', 'backslash'],
    ['s3://bucket/a%00b', 'control'],
    ['s3://bucket/a%zz', 'percent-encoding'],
    ['s3://B_/x', 'bucket name'],
    ['abfss://container/x', 'abfss locations'],
  ])('rejects %j (%s)', (input, why) => {
    expect(() => normaliseLocation(input)).toThrow(why);
  });

  it('is idempotent on every location it accepts', () => {
    const segment = fc.oneof(fc.constantFrom('.', '..', '', 'a', 'sales', 'sales_archive', '%2e', '%41', 'x%20y', '*', '?'), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.constantFrom('s3', 's3a', 'S3N', 'gs'), fc.array(segment, { maxLength: 8 }), (scheme, segments) => {
        let first;
        try {
          first = normaliseLocation(`${scheme}://bucket/${segments.join('/')}`);
        } catch {
          return true;
        }
        expect(normaliseLocation(first.url).url).toBe(first.url);
        expect(first.segments).not.toContain('..');
        expect(first.segments).not.toContain('.');
        expect(first.segments).not.toContain('');
        return true;
      }),
      { numRuns: 2000 },
    );
  });
});

describe('locationCovers', () => {
  const covers = (a: string, b: string) => locationCovers(normaliseLocation(a), normaliseLocation(b));
  it.each([
    ['s3://bkt/sales', 's3://bkt/sales', true],
    ['s3://bkt/sales', 's3://bkt/sales/2024/x.parquet', true],
    ['s3://bkt/sales', 's3://bkt/sales_archive', false],
    ['s3://bkt/sales', 's3://bkt/sales_archive/x', false],
    ['s3://bkt/sales/2024', 's3://bkt/sales', false],
    ['s3://bkt', 's3://bkt/anything', true],
    ['s3://bkt/sales', 's3://other/sales', false],
    ['s3://bkt/sales', 'gs://bkt/sales', false],
    ['s3://bkt/sales', 's3a://BKT/sales/./x', true],
    ['s3://bkt/sales', 's3://bkt/sales/../secrets', false],
  ])('%s covers %s: %s', (a, b, expected) => {
    expect(covers(a, b)).toBe(expected);
  });

  it('never lets a sibling that merely shares a string prefix pass', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]{1,8}$/), fc.stringMatching(/^[a-z0-9_.-]{1,8}$/), (base, suffix) => {
        expect(covers(`s3://bkt/${base}`, `s3://bkt/${base}${suffix}/x`)).toBe(false);
      }),
    );
  });
});
