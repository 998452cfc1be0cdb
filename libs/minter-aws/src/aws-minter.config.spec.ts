import { describe, expect, it } from 'vitest';
import { partitionForRegion, partitionOfArn, resolveAwsMinterConfig } from './aws-minter.config.js';

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1111';

describe('partitionForRegion', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-central-2', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['minio', 'aws'],
  ])('%s → %s', (region, partition) => {
    expect(partitionForRegion(region)).toBe(partition);
  });
});

describe('partitionOfArn', () => {
  it.each([
    ['arn:aws:iam::123456789012:role/r', 'aws'],
    ['arn:aws-cn:iam::123456789012:role/r', 'aws-cn'],
    ['arn:aws-us-gov:iam::123456789012:role/r', 'aws-us-gov'],
    ['arn:minio:iam:::role/r', undefined],
    ['not-an-arn', undefined],
  ])('%s → %s', (arn, partition) => {
    expect(partitionOfArn(arn)).toBe(partition);
  });
});

describe('resolveAwsMinterConfig', () => {
  it('applies defaults', () => {
    expect(resolveAwsMinterConfig({ region: 'us-east-1' })).toEqual({
      region: 'us-east-1',
      endpoint: undefined,
      partition: undefined,
      roleMaxSessionSeconds: 3600,
      kmsKeyArns: {},
      credentials: undefined,
      requestTimeoutMs: 5000,
      maxAttempts: 3,
    });
  });

  it('normalises KMS key locations', () => {
    const config = resolveAwsMinterConfig({ region: 'us-east-1', kmsKeyArns: { 's3a://Data-Lake/x/': KEY } });
    expect(config.kmsKeyArns).toEqual({ 's3://data-lake/x': KEY });
  });

  it('lists every problem in one INVALID_ARGUMENT error', () => {
    let error: unknown;
    try {
      resolveAwsMinterConfig({
        region: ' ',
        endpoint: 'ftp://x',
        partition: 'aws-mars' as 'aws',
        roleMaxSessionSeconds: 600,
        requestTimeoutMs: 0,
        maxAttempts: 0,
        kmsKeyArns: { 'gs://bucket/p': KEY, 's3://data-lake': 'arn:aws:kms:us-east-1:123456789012:key/*' },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    const problems = (error as { details: { problems: string[] } }).details.problems;
    expect(problems).toHaveLength(8);
    for (const fragment of ['region', 'endpoint', 'partition', 'roleMaxSessionSeconds', 'requestTimeoutMs', 'maxAttempts', "'gs://bucket/p' is not an s3 location", 'is not a KMS key ARN']) {
      expect(problems.some((p) => p.includes(fragment))).toBe(true);
    }
  });

  it.each([900, 3600, 43200])('accepts roleMaxSessionSeconds %i', (seconds) => {
    expect(resolveAwsMinterConfig({ region: 'us-east-1', roleMaxSessionSeconds: seconds }).roleMaxSessionSeconds).toBe(seconds);
  });

  it.each([899, 43201, 1000.5])('refuses roleMaxSessionSeconds %d', (seconds) => {
    expect(() => resolveAwsMinterConfig({ region: 'us-east-1', roleMaxSessionSeconds: seconds })).toThrow(/roleMaxSessionSeconds/);
  });
});
