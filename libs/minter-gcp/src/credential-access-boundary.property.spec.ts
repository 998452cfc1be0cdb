import { Environment } from '@marcbachmann/cel-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCondition, isAllowed } from '../test/cel-evaluator.js';
import { buildCredentialAccessBoundary, bucketResource, celStringLiteral, objectPrefixCondition } from './credential-access-boundary.js';

/** Characters that mean something to CEL, URLs, JSON or regexes, plus ordinary and non-ASCII ones. */
const NASTY = [...'ab_-.~ *?${}[]()%+=,@:;!#&\'"^|<>`', 'é', '日', '😀', '\u00a0', '\u200b'];
const char = fc.constantFrom(...NASTY);
/** What normaliseLocation lets through: never empty, never `.` or `..`, no slash, backslash or control character. */
const segment = fc.string({ unit: char, minLength: 1, maxLength: 8 }).filter((s) => s !== '.' && s !== '..');
const prefixSegments = fc.array(segment, { minLength: 1, maxLength: 4 });
const keyTail = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
/** Valid GCS bucket names, including dots and underscores. */
const bucket = fc
  .tuple(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), fc.string({ unit: fc.constantFrom(...'abcz09._-'), minLength: 1, maxLength: 20 }), fc.constantFrom(...'az09'))
  .map(([first, middle, last]) => `${first}${middle}${last}`);
/** Any code point but lone surrogates, weighted towards the characters CEL escapes. */
const anyChar = fc.oneof(fc.constantFrom('\\', "'", '"', '\n', '\r', '\t', '\u0000', '\u007f', '\u0085', '\u2028', '?', '`'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));

const urlOf = (b: string, segments: readonly string[]) => `gs://${b}/${segments.map(encodeURIComponent).join('/')}`;
const evaluator = new Environment();

describe('celStringLiteral (property)', () => {
  it('evaluates back to the same string in an independent CEL evaluator', () => {
    fc.assert(
      fc.property(fc.string({ unit: anyChar, maxLength: 30 }), (value) => {
        expect(evaluator.evaluate(celStringLiteral(value))).toBe(value);
      }),
      { numRuns: 1000 },
    );
  });

  it('never leaves an unescaped quote, backslash or control character', () => {
    fc.assert(
      fc.property(fc.string({ unit: anyChar, maxLength: 30 }), (value) => {
        const body = celStringLiteral(value).slice(1, -1);
        // Remove every escape; what is left must hold no quote, backslash or control character.
        const bare = body.replace(/\\(?:u[0-9a-f]{4}|['"\\])/g, '');
        // eslint-disable-next-line no-control-regex -- control characters are what this looks for
        expect(bare).not.toMatch(/['"\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('buildCredentialAccessBoundary over adversarial prefixes and buckets (property)', () => {
  it('one rule on the bucket, the right role, a condition that type-checks', () => {
    fc.assert(
      fc.property(bucket, prefixSegments, fc.constantFrom('read' as const, 'write' as const), (b, segments, access) => {
        const rules = buildCredentialAccessBoundary([{ url: urlOf(b, segments), access }]).accessBoundary.accessBoundaryRules;
        expect(rules).toHaveLength(1);
        expect(rules[0]?.availableResource).toBe(bucketResource(b));
        expect(rules[0]?.availablePermissions).toEqual([access === 'read' ? 'inRole:roles/storage.objectViewer' : 'inRole:roles/storage.objectAdmin']);
        const expression = rules[0]?.availabilityCondition?.expression ?? '';
        expect(expression).toBe(objectPrefixCondition(b, [segments.join('/')]));
        expect(checkCondition(expression)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('allows exactly the objects and list prefixes under <prefix>/ of that bucket', () => {
    fc.assert(
      fc.property(bucket, prefixSegments, keyTail, char, bucket, (b, segments, tail, extra, otherBucket) => {
        const prefix = segments.join('/');
        const boundary = buildCredentialAccessBoundary([{ url: urlOf(b, segments), access: 'read' }]);
        const get = (object: string, inBucket = b) => isAllowed(boundary, { permission: 'storage.objects.get', bucket: inBucket, object });
        const list = (p: string) => isAllowed(boundary, { permission: 'storage.objects.list', bucket: b, prefix: p });

        expect(get(`${prefix}/${tail}`)).toBe(true);
        expect(list(`${prefix}/`)).toBe(true);
        expect(list(`${prefix}/${tail}`)).toBe(true);
        // A sibling that shares the string prefix, the prefix itself as an object, and the parent level.
        expect(get(`${prefix}${extra}/${tail}`)).toBe(false);
        expect(get(prefix)).toBe(false);
        expect(list(prefix)).toBe(false);
        expect(list(`${prefix}${extra}/`)).toBe(false);
        if (segments.length > 1) {
          const atParent = `${segments.slice(0, -1).join('/')}/${tail}`;
          expect(get(atParent)).toBe(atParent.startsWith(`${prefix}/`));
        }
        expect(get(tail)).toBe(tail.startsWith(`${prefix}/`));
        if (otherBucket !== b) expect(get(`${prefix}/${tail}`, otherBucket)).toBe(false);
        expect(isAllowed(boundary, { permission: 'storage.objects.create', bucket: b, object: `${prefix}/${tail}` })).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('the condition holds for any prefix the caller could write, including backslashes and control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: anyChar, minLength: 1, maxLength: 12 }), fc.string({ unit: anyChar, maxLength: 6 }), (prefix, tail) => {
        const b = 'data-lake';
        const boundary = { accessBoundary: { accessBoundaryRules: [{ availableResource: bucketResource(b), availablePermissions: ['inRole:roles/storage.objectViewer'], availabilityCondition: { expression: objectPrefixCondition(b, [prefix]) } }] } };
        const get = (object: string) => isAllowed(boundary, { permission: 'storage.objects.get', bucket: b, object });
        expect(get(`${prefix}/${tail}`)).toBe(true);
        expect(get(`${prefix}${tail}`)).toBe(`${prefix}${tail}`.startsWith(`${prefix}/`));
        expect(isAllowed(boundary, { permission: 'storage.objects.list', bucket: b, prefix: `${prefix}/${tail}` })).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('for several locations, allows an object exactly when a location of enough access covers it', () => {
    const location = fc.record({ b: fc.constantFrom('lake-a', 'lake-b'), segments: fc.array(fc.constantFrom('x', 'y', 'xy', "q'"), { minLength: 0, maxLength: 3 }), access: fc.constantFrom('read' as const, 'write' as const) });
    const probe = fc.record({ b: fc.constantFrom('lake-a', 'lake-b', 'lake-c'), key: fc.array(fc.constantFrom('x', 'y', 'xy', "q'", 'z'), { minLength: 1, maxLength: 4 }), write: fc.boolean() });
    fc.assert(
      fc.property(fc.array(location, { minLength: 1, maxLength: 6 }), probe, (locations, p) => {
        const boundary = buildCredentialAccessBoundary(locations.map((l) => ({ url: l.segments.length === 0 ? `gs://${l.b}` : urlOf(l.b, l.segments), access: l.access })));
        const object = p.key.join('/');
        // Covered on segment boundaries: the location's segments are a proper prefix of the key's.
        const covers = (l: (typeof locations)[number]) => l.b === p.b && l.segments.length < p.key.length && l.segments.every((s, i) => p.key[i] === s);
        const expected = locations.some((l) => covers(l) && (!p.write || l.access === 'write'));
        expect(isAllowed(boundary, { permission: p.write ? 'storage.objects.create' : 'storage.objects.get', bucket: p.b, object })).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
