import type { StorageLocation } from '@lakegate/contracts';
import { describe, expect, it } from 'vitest';
import { checkCondition, evaluateCondition, isAllowed, type GcsRequest } from '../test/cel-evaluator.js';
import { buildCredentialAccessBoundary, objectPrefixCondition, type CredentialAccessBoundary } from './credential-access-boundary.js';

/** What the built boundaries allow, decided by an independent CEL evaluator over GCS-shaped requests. */

const BUCKET = 'data-lake';
const get = (object: string, bucket = BUCKET): GcsRequest => ({ permission: 'storage.objects.get', bucket, object });
const create = (object: string, bucket = BUCKET): GcsRequest => ({ permission: 'storage.objects.create', bucket, object });
const del = (object: string, bucket = BUCKET): GcsRequest => ({ permission: 'storage.objects.delete', bucket, object });
const list = (prefix?: string, bucket = BUCKET): GcsRequest => (prefix === undefined ? { permission: 'storage.objects.list', bucket } : { permission: 'storage.objects.list', bucket, prefix });

type Case = [label: string, request: GcsRequest, allowed: boolean];

function expectScope(boundary: CredentialAccessBoundary, cases: readonly Case[]) {
  for (const rule of boundary.accessBoundary.accessBoundaryRules) {
    if (rule.availabilityCondition) expect(checkCondition(rule.availabilityCondition.expression)).toBeUndefined();
  }
  const decided = cases.map(([label, request]) => [label, isAllowed(boundary, request)]);
  expect(decided).toEqual(cases.map(([label, , allowed]) => [label, allowed]));
}

describe('a read grant on gs://data-lake/sales', () => {
  const boundary = buildCredentialAccessBoundary([{ url: 'gs://data-lake/sales', access: 'read' }]);
  it('allows reading and listing under sales/ and nothing else', () => {
    expectScope(boundary, [
      ['get an object under the prefix', get('sales/2024/part-0.parquet'), true],
      ['get the folder placeholder', get('sales/'), true],
      ['get a deeply nested object', get('sales/a/b/c/d/e.json'), true],
      ['get from the sibling sales_archive', get('sales_archive/2024/part-0.parquet'), false],
      ['get from a sibling sharing the string prefix', get('salesforce/x'), false],
      ['get the object named exactly like the prefix', get('sales'), false],
      ['get from the parent level', get('other/x'), false],
      ['get a path that only contains sales/', get('x/sales/y'), false],
      ['get the same key from another bucket', get('sales/2024/part-0.parquet', 'other-lake'), false],
      ['list sales/', list('sales/'), true],
      ['list under sales/', list('sales/2024/'), true],
      ['list a key-name prefix under sales/', list('sales/2024/part-'), true],
      ['list "sales" (would include sales_archive)', list('sales'), false],
      ['list sales_archive/', list('sales_archive/'), false],
      ['list the bucket root', list(''), false],
      ['list without a prefix', list(), false],
      ['list sales/ in another bucket', list('sales/', 'other-lake'), false],
      ['create under the prefix (read-only)', create('sales/new.parquet'), false],
      ['delete under the prefix (read-only)', del('sales/2024/part-0.parquet'), false],
    ]);
  });
});

describe('a write grant on gs://data-lake/staging/alice', () => {
  const boundary = buildCredentialAccessBoundary([{ url: 'gs://data-lake/staging/alice', access: 'write' }]);
  it('allows create, delete, get and list under the prefix only', () => {
    expectScope(boundary, [
      ['create under the prefix', create('staging/alice/out.parquet'), true],
      ['delete under the prefix', del('staging/alice/out.parquet'), true],
      ['get under the prefix', get('staging/alice/out.parquet'), true],
      ['list the prefix', list('staging/alice/'), true],
      ['create in the parent prefix', create('staging/bob/out.parquet'), false],
      ['create in a sibling sharing the string prefix', create('staging/alice2/out.parquet'), false],
      ['create at the parent level', create('staging/out.parquet'), false],
      ['list the parent', list('staging/'), false],
      ['create in another bucket', create('staging/alice/out.parquet', 'other-lake'), false],
    ]);
  });
});

describe('mixed grants', () => {
  it('reads sales, writes staging, and never writes sales', () => {
    const locations: StorageLocation[] = [
      { url: 'gs://data-lake/sales', access: 'read' },
      { url: 'gs://data-lake/staging', access: 'write' },
      { url: 'gs://archive-lake', access: 'read' },
    ];
    expectScope(buildCredentialAccessBoundary(locations), [
      ['get sales', get('sales/a'), true],
      ['create sales', create('sales/a'), false],
      ['create staging', create('staging/a'), true],
      ['get staging', get('staging/a'), true],
      ['get anywhere in the whole-bucket read', get('anything/at/all', 'archive-lake'), true],
      ['list the whole-bucket read without a prefix', list(undefined, 'archive-lake'), true],
      ['create in the whole-bucket read', create('x', 'archive-lake'), false],
      ['get outside both prefixes', get('marketing/a'), false],
      ['list the bucket root', list(''), false],
    ]);
  });
});

describe('prefixes with characters that mean something to CEL', () => {
  it('a quote and a double quote in the prefix match only that literal prefix', () => {
    const boundary = buildCredentialAccessBoundary([{ url: `gs://data-lake/it's "q"`, access: 'read' }]);
    expectScope(boundary, [
      ['get under the quoted prefix', get(`it's "q"/x`), true],
      ['list the quoted prefix', list(`it's "q"/`), true],
      ['get a sibling of the quoted prefix', get(`it's "q"x/y`), false],
      ['get with an unescaped variant', get(`its "q"/x`), false],
    ]);
  });

  it('an attempt to close the literal and add `|| true` stays a literal', () => {
    const boundary = buildCredentialAccessBoundary([{ url: "gs://data-lake/a') || true || ('", access: 'read' }]);
    expectScope(boundary, [
      ['get anything else', get('b/x'), false],
      ['list anything else', list('b/'), false],
      ['get under the literal prefix', get("a') || true || ('/x"), true],
    ]);
  });

  // normaliseLocation refuses backslashes and control characters, so these go to the condition directly.
  it.each([
    ['a backslash', 'a\\b'],
    ['a trailing backslash', 'a\\'],
    ['a backslash before a quote', "a\\'b"],
    ['a newline and a tab', 'a\nb\tc'],
    ['NUL and DEL', 'a\u0000b\u007f'],
    ['a line separator', 'a\u2028b'],
  ])('%s in the prefix matches only itself', (_name, prefix) => {
    const expression = objectPrefixCondition(BUCKET, [prefix]);
    expect(checkCondition(expression)).toBeUndefined();
    expect(evaluateCondition(expression, get(`${prefix}/x`))).toBe(true);
    expect(evaluateCondition(expression, list(`${prefix}/`))).toBe(true);
    expect(evaluateCondition(expression, get(`${prefix}x/y`))).toBe(false);
    expect(evaluateCondition(expression, get(`${prefix.replace(/\\/g, '\\\\')}/x`))).toBe(!prefix.includes('\\'));
    expect(evaluateCondition(expression, get('a/x'))).toBe(false);
  });
});
