import { LakegateError } from '@lakegate/contracts';
import { describe, expect, it } from 'vitest';
import { AwsMinter, mapStsError } from './aws-minter.adapter.js';

const ROLE = 'arn:aws:iam::123456789012:role/lakegate-data';

const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`upstream says ${name}: secret=wJalrXUtnFEMI/K7MDENG`), {
    name,
    $fault: status !== undefined && status >= 500 ? 'server' : 'client',
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status, requestId: 'req-123' } }),
    ...extra,
  });

describe('mapStsError', () => {
  it.each([
    ['AccessDenied', 403, 'UPSTREAM_DENIED'],
    ['AccessDeniedException', 403, 'UPSTREAM_DENIED'],
    ['RegionDisabledException', 403, 'UPSTREAM_DENIED'],
    ['ExpiredTokenException', 400, 'UPSTREAM_DENIED'],
    ['InvalidClientTokenId', 403, 'UPSTREAM_DENIED'],
    ['SignatureDoesNotMatch', 403, 'UPSTREAM_DENIED'],
    ['MalformedPolicyDocumentException', 400, 'INVALID_ARGUMENT'],
    ['MalformedPolicyDocument', 400, 'INVALID_ARGUMENT'],
    ['PackedPolicyTooLargeException', 400, 'INVALID_ARGUMENT'],
    ['ValidationError', 400, 'UPSTREAM_DENIED'],
    ['Throttling', 400, 'UPSTREAM_UNAVAILABLE'],
    ['ThrottlingException', 400, 'UPSTREAM_UNAVAILABLE'],
    ['RequestLimitExceeded', 503, 'UPSTREAM_UNAVAILABLE'],
    ['InternalFailure', 500, 'UPSTREAM_UNAVAILABLE'],
    ['SomethingNew', 502, 'UPSTREAM_UNAVAILABLE'],
    ['SomethingNew', 429, 'UPSTREAM_UNAVAILABLE'],
    ['SomethingNew', 400, 'UPSTREAM_DENIED'],
    ['TimeoutError', undefined, 'UPSTREAM_UNAVAILABLE'],
    ['CredentialsProviderError', undefined, 'FAILED_PRECONDITION'],
  ] as const)('%s (HTTP %s) → %s', (name, status, code) => {
    const mapped = mapStsError(sdkError(name, status), ROLE);
    expect(mapped).toBeInstanceOf(LakegateError);
    expect(mapped.code).toBe(code);
    expect(mapped.message).toContain(ROLE);
    expect(mapped.message).toContain(name);
    expect(mapped.message).not.toContain('wJalrXUtnFEMI');
    expect(mapped.retryable).toBe(code === 'UPSTREAM_UNAVAILABLE');
    if (status !== undefined) expect(mapped.details).toMatchObject({ awsErrorCode: name, httpStatus: status, upstreamRequestId: 'req-123' });
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND'])('network error %s → UPSTREAM_UNAVAILABLE', (code) => {
    const error = Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
    const mapped = mapStsError(error, ROLE);
    expect(mapped.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(mapped.message).toContain(code);
    expect(mapped.cause).toBe(error);
  });

  it('passes a LakegateError through', () => {
    const original = new LakegateError('INVALID_ARGUMENT', 'x');
    expect(mapStsError(original, ROLE)).toBe(original);
  });
});

describe('AwsMinter', () => {
  it('describes its limits from the role maximum', () => {
    expect(new AwsMinter({ region: 'us-east-1' }).capabilities).toEqual({
      cloud: 'aws',
      minDurationSeconds: 900,
      maxDurationSeconds: 3600,
      defaultDurationSeconds: 3600,
      revocable: false,
    });
    expect(new AwsMinter({ region: 'us-east-1', roleMaxSessionSeconds: 43200 }).capabilities.maxDurationSeconds).toBe(43200);
    expect(new AwsMinter({ region: 'us-east-1', roleMaxSessionSeconds: 1800 }).capabilities).toMatchObject({ maxDurationSeconds: 1800, defaultDurationSeconds: 1800 });
  });

  it.each([
    [1, 900],
    [899, 900],
    [900, 900],
    [1234.9, 1234],
    [7200, 7200],
    [43200, 43200],
    [99999, 43200],
    [Number.NaN, 3600],
  ])('clamps %d s to %d s for a 12-hour role', (requested, expected) => {
    expect(new AwsMinter({ region: 'us-east-1', roleMaxSessionSeconds: 43200 }).clampDuration(requested)).toBe(expected);
  });

  it('clamps to the role maximum', () => {
    expect(new AwsMinter({ region: 'us-east-1', roleMaxSessionSeconds: 1800 }).clampDuration(43200)).toBe(1800);
  });

  it('refuses an invalid configuration at construction', () => {
    expect(() => new AwsMinter({ region: '' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
