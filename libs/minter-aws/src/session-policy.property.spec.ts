import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAllowed } from '../test/iam-simulator.js';
import { buildSessionPolicy, escapeIamWildcards, type IamPolicyStatement } from './session-policy.js';

/** Characters that mean something to IAM, URLs, JSON or regexes, plus ordinary and non-ASCII ones. */
const NASTY = [...'ab_-.~ *?${}[]()%+=,@:;!#&\'"^|<>`', 'é', '日', '😀', '\u00a0'];
const char = fc.constantFrom(...NASTY);
/** One path segment: never empty, never `.` or `..` (normalisation would remove them). */
const segment = fc.string({ unit: char, minLength: 1, maxLength: 8 }).filter((s) => s !== '.' && s !== '..');
const prefixSegments = fc.array(segment, { minLength: 1, maxLength: 4 });
const keyTail = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
/** A character that extends a prefix without a segment boundary. */
const notSlash = char;

const BUCKET = 'data-lake';
const urlOf = (segments: readonly string[]) => `s3://${BUCKET}/${segments.map(encodeURIComponent).join('/')}`;
const unescape = (value: string) => value.replace(/\$\{([*?$])\}/g, '$1');
/** Replaces each IAM wildcard with a letter, giving a key the unescaped pattern would have matched. */
const instantiate = (value: string) => value.replace(/[*?]/g, 'X');
/** iam-simulate reads `*` and `?` in a request resource as wildcards, so only other keys are simulated as objects. */
const simulable = (key: string) => !/[*?]/.test(key);

const statement = (statements: readonly IamPolicyStatement[], action: string) => statements.find((s) => ([] as string[]).concat(s.Action).includes(action));

describe('escapeIamWildcards (property)', () => {
  it('round-trips and leaves no bare wildcard or variable opener', () => {
    fc.assert(
      fc.property(fc.string({ unit: char, maxLength: 40 }), (value) => {
        const escaped = escapeIamWildcards(value);
        expect(unescape(escaped)).toBe(value);
        expect(escaped.replace(/\$\{[*?$]\}/g, '')).not.toMatch(/[*?$]/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('buildSessionPolicy over adversarial prefixes (property)', () => {
  it('names exactly <bucket>/<prefix>/* and the <prefix>/ list condition, escaped', () => {
    fc.assert(
      fc.property(prefixSegments, fc.constantFrom('read' as const, 'write' as const), (segments, access) => {
        const prefix = segments.join('/');
        const policy = buildSessionPolicy([{ url: urlOf(segments), access }], { partition: 'aws' });
        const objects = statement(policy.Statement, 's3:GetObject');
        expect(objects?.Resource).toEqual([`arn:aws:s3:::${BUCKET}/${escapeIamWildcards(prefix)}/*`]);
        expect(unescape(String((objects?.Resource as string[])[0]))).toBe(`arn:aws:s3:::${BUCKET}/${prefix}/*`);
        const listing = statement(policy.Statement, 's3:ListBucket');
        expect(listing?.Resource).toBe(`arn:aws:s3:::${BUCKET}`);
        expect(listing?.Condition).toEqual({ StringLike: { 's3:prefix': [`${escapeIamWildcards(prefix)}/`, `${escapeIamWildcards(prefix)}/*`] } });
        expect(statement(policy.Statement, 's3:PutObject') !== undefined).toBe(access === 'write');
        expect(JSON.parse(JSON.stringify(policy))).toEqual(policy);
      }),
      { numRuns: 400 },
    );
  });

  it('allows exactly the scope when evaluated by iam-simulate', async () => {
    await fc.assert(
      fc.asyncProperty(prefixSegments, keyTail, notSlash, async (segments, tail, extra) => {
        const prefix = segments.join('/');
        const policy = buildSessionPolicy([{ url: urlOf(segments), access: 'read' }], { partition: 'aws' });
        const object = (action: string, key: string) => isAllowed(policy, { action, resource: `arn:aws:s3:::${BUCKET}/${key}` });
        const list = (p: string) => isAllowed(policy, { action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}`, context: { 's3:prefix': p } });

        // Inside: any key under <prefix>/ and any listing prefix under <prefix>/.
        if (simulable(`${prefix}/${tail}`)) {
          expect(await object('s3:GetObject', `${prefix}/${tail}`)).toBe(true);
          expect(await object('s3:PutObject', `${prefix}/${tail}`)).toBe(false);
        }
        expect(await list(`${prefix}/`)).toBe(true);
        expect(await list(`${prefix}/${tail}`)).toBe(true);

        // Outside: the prefix itself, a sibling sharing its characters, and what a bare wildcard would match.
        if (simulable(prefix)) expect(await object('s3:GetObject', prefix)).toBe(false);
        if (simulable(`${prefix}${extra}/${tail}`)) expect(await object('s3:GetObject', `${prefix}${extra}/${tail}`)).toBe(false);
        expect(await list(prefix)).toBe(false);
        expect(await list(`${prefix}${extra}/`)).toBe(false);
        const widened = instantiate(prefix);
        if (widened !== prefix) {
          expect(await object('s3:GetObject', `${widened}/${instantiate(tail)}`)).toBe(false);
          expect(await list(`${widened}/`)).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('never lets one bucket list or read with another bucket’s prefix', async () => {
    await fc.assert(
      fc.asyncProperty(prefixSegments, prefixSegments, async (a, b) => {
        fc.pre(a.join('/') !== b.join('/') && !b.join('/').startsWith(`${a.join('/')}/`));
        const policy = buildSessionPolicy(
          [
            { url: `s3://alpha-lake/${a.map(encodeURIComponent).join('/')}`, access: 'read' },
            { url: `s3://beta-lake/${b.map(encodeURIComponent).join('/')}`, access: 'read' },
          ],
          { partition: 'aws' },
        );
        const list = (bucket: string, p: string) => isAllowed(policy, { action: 's3:ListBucket', resource: `arn:aws:s3:::${bucket}`, context: { 's3:prefix': p } });
        expect(await list('beta-lake', `${b.join('/')}/`)).toBe(true);
        expect(await list('alpha-lake', `${b.join('/')}/`)).toBe(false);
        const key = `${b.join('/')}/k`;
        if (simulable(key)) expect(await isAllowed(policy, { action: 's3:GetObject', resource: `arn:aws:s3:::alpha-lake/${key}` })).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});
