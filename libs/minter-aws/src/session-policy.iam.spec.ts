import type { StorageLocation } from '@lakegate/contracts';
import { describe, expect, it } from 'vitest';
import { isAllowed, type SimulatedRequest } from '../test/iam-simulator.js';
import { buildSessionPolicy, DENY_ALL_POLICY, type IamPolicyDocument } from './session-policy.js';

/**
 * What the produced session policies really allow, judged by an independent IAM evaluator
 * (@cloud-copilot/iam-simulate) with a role that may do anything on S3 and KMS: the session policy
 * alone decides, so every "allow" below is the scope and every "deny" is outside it.
 */

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1111aaaa-2222-3333-4444-555566667777';
const OTHER_KEY = 'arn:aws:kms:us-east-1:123456789012:key/9999aaaa-2222-3333-4444-555566667777';

const object = (action: string, key: string, bucket = 'data-lake', partition = 'aws'): SimulatedRequest => ({ action, resource: `arn:${partition}:s3:::${bucket}/${key}` });
const get = (key: string, bucket?: string) => object('s3:GetObject', key, bucket);
const put = (key: string, bucket?: string) => object('s3:PutObject', key, bucket);
const list = (prefix: string | undefined, bucket = 'data-lake'): SimulatedRequest => ({
  action: 's3:ListBucket',
  resource: `arn:aws:s3:::${bucket}`,
  context: prefix === undefined ? {} : { 's3:prefix': prefix },
});
const bucketLevel = (action: string, bucket = 'data-lake'): SimulatedRequest => ({ action, resource: `arn:aws:s3:::${bucket}` });
const kms = (action: string, key = KEY): SimulatedRequest => ({ action, resource: key });

interface Scenario {
  readonly scope: string;
  readonly locations: readonly StorageLocation[];
  readonly kmsKeyArns?: Record<string, string>;
  readonly allow: readonly [string, SimulatedRequest][];
  readonly deny: readonly [string, SimulatedRequest][];
}

const scenarios: Scenario[] = [
  {
    scope: 'read s3://data-lake/sales',
    locations: [{ url: 's3://data-lake/sales', access: 'read' }],
    allow: [
      ['GetObject directly under the prefix', get('sales/part-0.parquet')],
      ['GetObject deep under the prefix', get('sales/2024/01/part-0.parquet')],
      ['GetObject of the directory marker', get('sales/')],
      ['GetObjectVersion under the prefix', object('s3:GetObjectVersion', 'sales/part-0.parquet')],
      ['ListBucket with s3:prefix sales/', list('sales/')],
      ['ListBucket with a deeper s3:prefix', list('sales/2024/')],
      ['GetBucketLocation on the bucket', bucketLevel('s3:GetBucketLocation')],
    ],
    deny: [
      ['GetObject in the sibling prefix sales_archive', get('sales_archive/x.parquet')],
      ['GetObject in the sibling prefix sales-old', get('sales-old/x')],
      ['GetObject of the key equal to the prefix', get('sales')],
      ['GetObject in the parent prefix', get('x.parquet')],
      ['GetObject in another prefix', get('finance/sales/x')],
      ['GetObject in another bucket, same key', get('sales/part-0.parquet', 'other-lake')],
      ['PutObject under a read scope', put('sales/part-1.parquet')],
      ['DeleteObject under a read scope', object('s3:DeleteObject', 'sales/part-0.parquet')],
      ['multipart upload (UploadPart is s3:PutObject) under a read scope', put('sales/big.parquet')],
      ['AbortMultipartUpload under a read scope', object('s3:AbortMultipartUpload', 'sales/big.parquet')],
      ['ListMultipartUploadParts under a read scope', object('s3:ListMultipartUploadParts', 'sales/big.parquet')],
      ['GetObjectAcl under the prefix', object('s3:GetObjectAcl', 'sales/part-0.parquet')],
      ['PutObjectAcl under the prefix', object('s3:PutObjectAcl', 'sales/part-0.parquet')],
      ['ListBucket without s3:prefix (whole bucket)', list(undefined)],
      ['ListBucket with an empty s3:prefix', list('')],
      ['ListBucket with s3:prefix sales (no slash: would list sales_archive too)', list('sales')],
      ['ListBucket with s3:prefix sales_archive/', list('sales_archive/')],
      ['ListBucket with the sibling s3:prefix sales_', list('sales_')],
      ['ListBucket of another bucket with the right s3:prefix', list('sales/', 'other-lake')],
      ['ListBucketVersions', { ...list('sales/'), action: 's3:ListBucketVersions' }],
      ['ListBucketMultipartUploads', { ...list('sales/'), action: 's3:ListBucketMultipartUploads' }],
      ['GetBucketLocation of another bucket', bucketLevel('s3:GetBucketLocation', 'other-lake')],
      ['GetBucketPolicy', bucketLevel('s3:GetBucketPolicy')],
      ['DeleteBucket', bucketLevel('s3:DeleteBucket')],
      ['kms:Decrypt without a configured key', kms('kms:Decrypt')],
    ],
  },
  {
    scope: 'write s3://data-lake/sales',
    locations: [{ url: 's3://data-lake/sales', access: 'write' }],
    allow: [
      ['GetObject', get('sales/a')],
      ['PutObject (and multipart UploadPart)', put('sales/a')],
      ['DeleteObject', object('s3:DeleteObject', 'sales/a')],
      ['AbortMultipartUpload', object('s3:AbortMultipartUpload', 'sales/a')],
      ['ListMultipartUploadParts', object('s3:ListMultipartUploadParts', 'sales/a')],
      ['ListBucket with s3:prefix sales/', list('sales/')],
    ],
    deny: [
      ['PutObject in the sibling prefix', put('sales_archive/a')],
      ['PutObject of the key equal to the prefix', put('sales')],
      ['PutObject in the parent', put('a')],
      ['PutObject in another bucket', put('sales/a', 'other-lake')],
      ['DeleteObject in the sibling prefix', object('s3:DeleteObject', 'sales_archive/a')],
      ['DeleteObjectVersion', object('s3:DeleteObjectVersion', 'sales/a')],
      ['PutObjectAcl', object('s3:PutObjectAcl', 'sales/a')],
      ['ListBucket without a prefix', list(undefined)],
      ['PutBucketPolicy', bucketLevel('s3:PutBucketPolicy')],
    ],
  },
  {
    scope: 'read the whole bucket s3://data-lake',
    locations: [{ url: 's3://data-lake', access: 'read' }],
    allow: [
      ['GetObject anywhere in the bucket', get('any/where/x')],
      ['GetObject at the top level', get('x')],
      ['ListBucket without a prefix', list(undefined)],
      ['ListBucket with any prefix', list('any/')],
    ],
    deny: [
      ['GetObject in another bucket', get('x', 'other-lake')],
      ['GetObject in a bucket whose name extends this one', get('x', 'data-lake-2')],
      ['ListBucket of another bucket', list(undefined, 'other-lake')],
      ['PutObject', put('x')],
    ],
  },
  {
    scope: 'read s3://alpha-lake/r and write s3://beta-lake/w',
    locations: [
      { url: 's3://alpha-lake/r', access: 'read' },
      { url: 's3://beta-lake/w', access: 'write' },
    ],
    allow: [
      ['GetObject in alpha/r', get('r/x', 'alpha-lake')],
      ['GetObject in beta/w', get('w/x', 'beta-lake')],
      ['PutObject in beta/w', put('w/x', 'beta-lake')],
      ['ListBucket alpha with r/', list('r/', 'alpha-lake')],
      ['ListBucket beta with w/', list('w/', 'beta-lake')],
      ['GetBucketLocation of both', bucketLevel('s3:GetBucketLocation', 'beta-lake')],
    ],
    deny: [
      ['PutObject in alpha/r (read there)', put('r/x', 'alpha-lake')],
      ["GetObject at beta's prefix in alpha", get('w/x', 'alpha-lake')],
      ["PutObject at beta's prefix in alpha", put('w/x', 'alpha-lake')],
      ["ListBucket alpha with beta's prefix", list('w/', 'alpha-lake')],
      ["ListBucket beta with alpha's prefix", list('r/', 'beta-lake')],
    ],
  },
  {
    scope: 'read s3://data-lake/$%7Baws:username%7D (policy-variable syntax in the path)',
    locations: [{ url: 's3://data-lake/$%7Baws:username%7D', access: 'read' }],
    allow: [
      ['GetObject under the literal ${aws:username}', get('${aws:username}/x')],
      ['ListBucket with the literal prefix', list('${aws:username}/')],
    ],
    deny: [
      ['GetObject under the resolved variable', { ...get('alice/x'), context: { 'aws:username': 'alice' } }],
      ['ListBucket with the resolved variable', { ...list('alice/'), context: { 's3:prefix': 'alice/', 'aws:username': 'alice' } }],
    ],
  },
  {
    scope: 'read s3://data-lake/a*b and s3://data-lake/c%3Fd (IAM wildcards in the path)',
    locations: [
      { url: 's3://data-lake/a*b', access: 'read' },
      { url: 's3://data-lake/c%3Fd', access: 'read' },
    ],
    allow: [
      ['ListBucket with the literal a*b/', list('a*b/')],
      ['ListBucket with the literal c?d/', list('c?d/x')],
    ],
    deny: [
      ['GetObject where * would have matched', get('aXXb/x')],
      ['GetObject where * would have matched nothing', get('ab/x')],
      ['GetObject where ? would have matched', get('cXd/x')],
      ['ListBucket where * would have matched', list('aXb/')],
      ['ListBucket where ? would have matched', list('cXd/')],
    ],
  },
  {
    scope: 'write s3://data-lake/enc with a KMS key',
    locations: [{ url: 's3://data-lake/enc', access: 'write' }],
    kmsKeyArns: { 's3://data-lake/enc': KEY },
    allow: [
      ['kms:Decrypt on the key', kms('kms:Decrypt')],
      ['kms:GenerateDataKey on the key', kms('kms:GenerateDataKey')],
      ['kms:Encrypt on the key', kms('kms:Encrypt')],
    ],
    deny: [
      ['kms:Decrypt on another key', kms('kms:Decrypt', OTHER_KEY)],
      ['kms:CreateGrant on the key', kms('kms:CreateGrant')],
      ['kms:ReEncryptFrom on the key', kms('kms:ReEncryptFrom')],
      ['kms:ScheduleKeyDeletion on the key', kms('kms:ScheduleKeyDeletion')],
    ],
  },
  {
    scope: 'read s3://data-lake/enc with a KMS key',
    locations: [{ url: 's3://data-lake/enc', access: 'read' }],
    kmsKeyArns: { 's3://data-lake': KEY },
    allow: [['kms:Decrypt on the key', kms('kms:Decrypt')]],
    deny: [
      ['kms:GenerateDataKey under a read scope', kms('kms:GenerateDataKey')],
      ['kms:Encrypt under a read scope', kms('kms:Encrypt')],
    ],
  },
];

describe.each(scenarios)('session policy for $scope', ({ locations, kmsKeyArns, allow, deny }) => {
  const policy = buildSessionPolicy(locations, { partition: 'aws', ...(kmsKeyArns ? { kmsKeyArns } : {}) });

  it.each(allow)('allows %s', async (_name, request) => {
    expect(await isAllowed(policy, request)).toBe(true);
  });

  it.each(deny)('denies %s', async (_name, request) => {
    expect(await isAllowed(policy, request)).toBe(false);
  });
});

describe('partitions', () => {
  it.each(['aws-cn', 'aws-us-gov'] as const)('%s: allows the scope in its partition only', async (partition) => {
    const policy = buildSessionPolicy([{ url: 's3://data-lake/p', access: 'read' }], { partition });
    expect(await isAllowed(policy, object('s3:GetObject', 'p/x', 'data-lake', partition), partition)).toBe(true);
    expect(await isAllowed(policy, object('s3:GetObject', 'q/x', 'data-lake', partition), partition)).toBe(false);
    expect(await isAllowed(policy, object('s3:GetObject', 'p/x', 'data-lake', 'aws'), partition)).toBe(false);
  });
});

describe('the deny-all policy', () => {
  const everything: SimulatedRequest[] = [get('x'), put('x'), list(undefined), bucketLevel('s3:GetBucketLocation'), kms('kms:Decrypt')];
  it.each(everything)('denies $action on $resource', async (request) => {
    expect(await isAllowed(DENY_ALL_POLICY, request)).toBe(false);
  });

  it('is what an empty scope produces', async () => {
    const policy: IamPolicyDocument = buildSessionPolicy([], { partition: 'aws' });
    expect(await isAllowed(policy, get('x'))).toBe(false);
  });
});

describe('the evaluator itself', () => {
  // Guards against a vacuous harness: the same role without a session policy allows everything.
  it('allows out-of-scope requests when the session policy allows them', async () => {
    const open: IamPolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
    expect(await isAllowed(open, get('sales_archive/x.parquet'))).toBe(true);
    expect(await isAllowed(open, list(undefined))).toBe(true);
  });

  it('refuses request resources it would read as wildcards', async () => {
    await expect(isAllowed(DENY_ALL_POLICY, get('a*b/x'))).rejects.toThrow(/wildcard simulation/);
  });
});
