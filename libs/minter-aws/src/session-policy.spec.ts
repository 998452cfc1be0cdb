import type { StorageLocation } from '@lakegate/contracts';
import { LakegateError } from '@lakegate/contracts';
import { describe, expect, it } from 'vitest';
import {
  buildSessionPolicy,
  checkSessionPolicySize,
  DENY_ALL_POLICY,
  escapeIamWildcards,
  SESSION_POLICY_MAX_CHARS,
  serialiseSessionPolicy,
  type IamPolicyStatement,
} from './session-policy.js';

const READ = ['s3:GetObject', 's3:GetObjectVersion'];
const WRITE = ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'];
const read = (url: string): StorageLocation => ({ url, access: 'read' });
const write = (url: string): StorageLocation => ({ url, access: 'write' });

describe('escapeIamWildcards', () => {
  it.each([
    ['plain', 'plain'],
    ['a*b', 'a${*}b'],
    ['a?b', 'a${?}b'],
    ['a$b', 'a${$}b'],
    ['${aws:username}', '${$}{aws:username}'],
    ['${*}', '${$}{${*}}'],
    ['**??$$', '${*}${*}${?}${?}${$}${$}'],
    ['日本/語 x', '日本/語 x'],
  ])('%s → %s', (input, expected) => {
    expect(escapeIamWildcards(input)).toBe(expected);
  });
});

describe('buildSessionPolicy', () => {
  const cases: { name: string; locations: StorageLocation[]; partition?: 'aws' | 'aws-cn' | 'aws-us-gov'; statements: IamPolicyStatement[] }[] = [
    {
      name: 'read on a prefix',
      locations: [read('s3://bkt/sales')],
      statements: [
        { Effect: 'Allow', Action: READ, Resource: ['arn:aws:s3:::bkt/sales/*'] },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::bkt', Condition: { StringLike: { 's3:prefix': ['sales/', 'sales/*'] } } },
        { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: ['arn:aws:s3:::bkt'] },
      ],
    },
    {
      name: 'write on a nested prefix',
      locations: [write('s3://bkt/a/b/c')],
      statements: [
        { Effect: 'Allow', Action: READ, Resource: ['arn:aws:s3:::bkt/a/b/c/*'] },
        { Effect: 'Allow', Action: WRITE, Resource: ['arn:aws:s3:::bkt/a/b/c/*'] },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::bkt', Condition: { StringLike: { 's3:prefix': ['a/b/c/', 'a/b/c/*'] } } },
        { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: ['arn:aws:s3:::bkt'] },
      ],
    },
    {
      name: 'a whole bucket: object wildcard and an unconditioned ListBucket',
      locations: [read('s3://bkt')],
      statements: [
        { Effect: 'Allow', Action: READ, Resource: ['arn:aws:s3:::bkt/*'] },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: ['arn:aws:s3:::bkt'] },
        { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: ['arn:aws:s3:::bkt'] },
      ],
    },
    {
      name: 'a whole bucket written as s3://bkt/ with a trailing slash',
      locations: [write('s3://bkt/')],
      statements: [
        { Effect: 'Allow', Action: READ, Resource: ['arn:aws:s3:::bkt/*'] },
        { Effect: 'Allow', Action: WRITE, Resource: ['arn:aws:s3:::bkt/*'] },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: ['arn:aws:s3:::bkt'] },
        { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: ['arn:aws:s3:::bkt'] },
      ],
    },
    {
      name: 'wildcards and policy-variable syntax in the path are escaped in resources and conditions',
      locations: [read('s3://bkt/x*y/q%3F/$%7Baws:username%7D')],
      statements: [
        { Effect: 'Allow', Action: READ, Resource: ['arn:aws:s3:::bkt/x${*}y/q${?}/${$}{aws:username}/*'] },
        {
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::bkt',
          Condition: { StringLike: { 's3:prefix': ['x${*}y/q${?}/${$}{aws:username}/', 'x${*}y/q${?}/${$}{aws:username}/*'] } },
        },
        { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: ['arn:aws:s3:::bkt'] },
      ],
    },
    {
      name: 'locations are normalised first (scheme alias, bucket case, dot segments, encoding)',
      locations: [read('s3a://BKT/x/./y/../z%20w//')],
      statements: [
        { Effect: 'Allow', Action: READ, Resource: ['arn:aws:s3:::bkt/x/z w/*'] },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::bkt', Condition: { StringLike: { 's3:prefix': ['x/z w/', 'x/z w/*'] } } },
        { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: ['arn:aws:s3:::bkt'] },
      ],
    },
    {
      name: 'aws-cn partition',
      partition: 'aws-cn',
      locations: [read('s3://bkt/p')],
      statements: [
        { Effect: 'Allow', Action: READ, Resource: ['arn:aws-cn:s3:::bkt/p/*'] },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws-cn:s3:::bkt', Condition: { StringLike: { 's3:prefix': ['p/', 'p/*'] } } },
        { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: ['arn:aws-cn:s3:::bkt'] },
      ],
    },
    {
      name: 'aws-us-gov partition',
      partition: 'aws-us-gov',
      locations: [write('s3://bkt')],
      statements: [
        { Effect: 'Allow', Action: READ, Resource: ['arn:aws-us-gov:s3:::bkt/*'] },
        { Effect: 'Allow', Action: WRITE, Resource: ['arn:aws-us-gov:s3:::bkt/*'] },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: ['arn:aws-us-gov:s3:::bkt'] },
        { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: ['arn:aws-us-gov:s3:::bkt'] },
      ],
    },
    {
      name: 'two buckets: objects share statements, each bucket gets its own ListBucket condition',
      locations: [write('s3://zeta/w'), read('s3://alpha/r1'), read('s3://alpha/r2')],
      statements: [
        { Effect: 'Allow', Action: READ, Resource: ['arn:aws:s3:::alpha/r1/*', 'arn:aws:s3:::alpha/r2/*', 'arn:aws:s3:::zeta/w/*'] },
        { Effect: 'Allow', Action: WRITE, Resource: ['arn:aws:s3:::zeta/w/*'] },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::alpha', Condition: { StringLike: { 's3:prefix': ['r1/', 'r1/*', 'r2/', 'r2/*'] } } },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::zeta', Condition: { StringLike: { 's3:prefix': ['w/', 'w/*'] } } },
        { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: ['arn:aws:s3:::alpha', 'arn:aws:s3:::zeta'] },
      ],
    },
    {
      name: 'a whole bucket and a prefix of another bucket',
      locations: [read('s3://whole'), read('s3://part/p')],
      statements: [
        { Effect: 'Allow', Action: READ, Resource: ['arn:aws:s3:::part/p/*', 'arn:aws:s3:::whole/*'] },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: ['arn:aws:s3:::whole'] },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::part', Condition: { StringLike: { 's3:prefix': ['p/', 'p/*'] } } },
        { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: ['arn:aws:s3:::part', 'arn:aws:s3:::whole'] },
      ],
    },
    {
      name: 'duplicates fold, write wins over read for the same location',
      locations: [read('s3://bkt/p'), write('s3://bkt/p/'), read('s3n://bkt/p')],
      statements: [
        { Effect: 'Allow', Action: READ, Resource: ['arn:aws:s3:::bkt/p/*'] },
        { Effect: 'Allow', Action: WRITE, Resource: ['arn:aws:s3:::bkt/p/*'] },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::bkt', Condition: { StringLike: { 's3:prefix': ['p/', 'p/*'] } } },
        { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: ['arn:aws:s3:::bkt'] },
      ],
    },
    {
      name: 'a nested location folds into its parent, but a write inside a read parent keeps its write grant',
      locations: [read('s3://bkt/a'), read('s3://bkt/a/x'), write('s3://bkt/a/y')],
      statements: [
        { Effect: 'Allow', Action: READ, Resource: ['arn:aws:s3:::bkt/a/*'] },
        { Effect: 'Allow', Action: WRITE, Resource: ['arn:aws:s3:::bkt/a/y/*'] },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::bkt', Condition: { StringLike: { 's3:prefix': ['a/', 'a/*'] } } },
        { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: ['arn:aws:s3:::bkt'] },
      ],
    },
    {
      name: 'sibling prefixes sharing a string prefix do not fold (sales vs sales_archive)',
      locations: [read('s3://bkt/sales'), read('s3://bkt/sales_archive')],
      statements: [
        { Effect: 'Allow', Action: READ, Resource: ['arn:aws:s3:::bkt/sales/*', 'arn:aws:s3:::bkt/sales_archive/*'] },
        {
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::bkt',
          Condition: { StringLike: { 's3:prefix': ['sales/', 'sales/*', 'sales_archive/', 'sales_archive/*'] } },
        },
        { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: ['arn:aws:s3:::bkt'] },
      ],
    },
    {
      name: 'nothing requested: an explicit deny, never an empty policy',
      locations: [],
      statements: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
    },
  ];

  it.each(cases)('$name', ({ locations, partition, statements }) => {
    const policy = buildSessionPolicy(locations, { partition: partition ?? 'aws' });
    expect(policy).toEqual({ Version: '2012-10-17', Statement: statements });
  });

  it('returns the deny-all policy for an empty scope', () => {
    expect(buildSessionPolicy([], { partition: 'aws' })).toBe(DENY_ALL_POLICY);
    expect(serialiseSessionPolicy(DENY_ALL_POLICY)).toBe('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}');
  });

  it('is deterministic whatever the input order', () => {
    const a = [read('s3://bkt/x'), write('s3://cbk/y'), read('s3://bkt/w')];
    expect(buildSessionPolicy(a, { partition: 'aws' })).toEqual(buildSessionPolicy([...a].reverse(), { partition: 'aws' }));
  });

  describe('KMS', () => {
    const key1 = 'arn:aws:kms:us-east-1:123456789012:key/1111';
    const key2 = 'arn:aws:kms:us-east-1:123456789012:key/2222';
    const kms = (locations: StorageLocation[], kmsKeyArns: Record<string, string>) =>
      buildSessionPolicy(locations, { partition: 'aws', kmsKeyArns }).Statement.filter((s) => String(s.Action).startsWith('kms:'));

    const kmsCases: { name: string; locations: StorageLocation[]; keys: Record<string, string>; expected: IamPolicyStatement[] }[] = [
      { name: 'read with a bucket key: Decrypt only', locations: [read('s3://bkt/p')], keys: { 's3://bkt': key1 }, expected: [{ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [key1] }] },
      {
        name: 'write with a bucket key: Decrypt, GenerateDataKey, Encrypt',
        locations: [write('s3://bkt/p')],
        keys: { 's3://bkt': key1 },
        expected: [
          { Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [key1] },
          { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Encrypt'], Resource: [key1] },
        ],
      },
      { name: 'no key configured for the bucket: no KMS statement', locations: [write('s3://bkt/p')], keys: { 's3://other': key1 }, expected: [] },
      { name: 'a key on a sibling prefix does not apply', locations: [read('s3://bkt/sales')], keys: { 's3://bkt/sales_archive': key1 }, expected: [] },
      { name: 'the most specific covering key wins', locations: [read('s3://bkt/p/q')], keys: { 's3://bkt': key1, 's3://bkt/p': key2 }, expected: [{ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [key2] }] },
      {
        name: 'keys of locations inside the scope are included',
        locations: [read('s3://bkt')],
        keys: { 's3://bkt': key1, 's3://bkt/p': key2 },
        expected: [{ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [key1, key2] }],
      },
      {
        name: 'write keys only for written locations',
        locations: [read('s3://bkt/r'), write('s3://cbk/w')],
        keys: { 's3://bkt': key1, 's3://cbk': key2 },
        expected: [
          { Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [key1, key2] },
          { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Encrypt'], Resource: [key2] },
        ],
      },
    ];
    it.each(kmsCases)('$name', ({ locations, keys, expected }) => {
      expect(kms(locations, keys)).toEqual(expected);
    });
  });

  describe('rejects what it cannot scope', () => {
    it.each([
      ['an abfss location', 'abfss://c@acct.dfs.core.windows.net/p'],
      ['a gs location', 'gs://bucket/p'],
      ['an unknown scheme', 'http://b/p'],
      ['a path climbing above the bucket', 's3://bkt/../p'],
      ['an encoded slash', 's3://bkt/a%2Fb'],
    ])('%s', (_name, url) => {
      expect(() => buildSessionPolicy([read(url)], { partition: 'aws' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    });

    it('an unknown access level', () => {
      expect(() => buildSessionPolicy([{ url: 's3://bkt/p', access: 'admin' as 'read' }], { partition: 'aws' })).toThrow(/Unknown access 'admin'/);
    });
  });
});

describe('checkSessionPolicySize', () => {
  it('returns the minified JSON when it fits', () => {
    const policy = buildSessionPolicy([read('s3://bkt/p')], { partition: 'aws' });
    const json = checkSessionPolicySize(policy);
    expect(json).toBe(JSON.stringify(policy));
    expect(json).not.toMatch(/\s/);
  });

  it('accepts exactly 2048 characters and refuses 2049, naming the size', () => {
    // Grow one prefix until the policy is exactly at the limit, then one character more.
    const policyFor = (n: number) => buildSessionPolicy([read(`s3://bkt/${'x'.repeat(n)}`)], { partition: 'aws' });
    const base = serialiseSessionPolicy(policyFor(1)).length;
    // The prefix appears 3 times (object ARN and two condition values), so step in thirds.
    let n = 1 + Math.floor((SESSION_POLICY_MAX_CHARS - base) / 3);
    while (serialiseSessionPolicy(policyFor(n)).length > SESSION_POLICY_MAX_CHARS) n -= 1;
    const fits = policyFor(n);
    expect(serialiseSessionPolicy(fits).length).toBeLessThanOrEqual(SESSION_POLICY_MAX_CHARS);
    expect(() => checkSessionPolicySize(fits)).not.toThrow();

    const tooBig = policyFor(n + 1);
    const size = serialiseSessionPolicy(tooBig).length;
    expect(size).toBeGreaterThan(SESSION_POLICY_MAX_CHARS);
    let error: unknown;
    try {
      checkSessionPolicySize(tooBig);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LakegateError);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', details: { policyChars: size, maxPolicyChars: 2048 } });
    expect((error as Error).message).toContain(`${size} characters`);
    expect((error as Error).message).toContain('2048');
  });

  it('refuses many locations that together exceed the limit', () => {
    const many = Array.from({ length: 40 }, (_, i) => read(`s3://bucket-${i}/some/longer/prefix/${i}`));
    expect(() => checkSessionPolicySize(buildSessionPolicy(many, { partition: 'aws' }))).toThrow(/STS accepts at most 2048/);
  });
});
