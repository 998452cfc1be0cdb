import { LakegateError } from '@lakegate/contracts';
import { describe, expect, it } from 'vitest';
import { GcpMinter, mapGcpError, upstreamOf } from './gcp-minter.adapter.js';

const SA = 'lake-data@proj.iam.gserviceaccount.com';
const STS = 'https://sts.googleapis.com/v1/token';
const IAM = `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`;
const OAUTH2 = 'https://oauth2.googleapis.com/token';

/** The shape google-auth-library's errors have: the request config (with the tokens it sent) and the response. */
const httpError = (url: string, status: number, data: unknown, message = 'Request failed') =>
  Object.assign(new Error(message), { config: { url: new URL(url), data: 'subject_token=ya29.secret-subject' }, response: { status, data } });

describe('upstreamOf', () => {
  it.each([
    [STS, 'sts'],
    ['http://127.0.0.1:4100/v1/token', 'sts'],
    [IAM, 'iam'],
    ['http://127.0.0.1:4100/base/v1/projects/-/serviceAccounts/a@b.c:generateAccessToken', 'iam'],
    [OAUTH2, 'oauth2'],
    ['http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token', 'oauth2'],
    ['http://169.254.169.254/computeMetadata/v1/project/project-id', 'other'],
    [undefined, 'other'],
    ['not a url', 'other'],
  ])('%s → %s', (url, upstream) => {
    expect(upstreamOf(url)).toBe(upstream);
  });
});

describe('mapGcpError', () => {
  it.each([
    ['STS 401', httpError(STS, 401, { error: 'unauthorized_client', error_description: 'ya29.echoed' }), 'UPSTREAM_DENIED', 'sts', 'unauthorized_client'],
    ['STS 403', httpError(STS, 403, { error: 'access_denied' }), 'UPSTREAM_DENIED', 'sts', 'access_denied'],
    ['STS 400 invalid_grant', httpError(STS, 400, { error: 'invalid_grant' }), 'UPSTREAM_DENIED', 'sts', 'invalid_grant'],
    ['STS 400 invalid_request', httpError(STS, 400, { error: 'invalid_request' }), 'INVALID_ARGUMENT', 'sts', 'invalid_request'],
    ['STS 400 without an OAuth body', httpError(STS, 400, '<html>'), 'UPSTREAM_DENIED', 'sts', 'HTTP 400'],
    ['STS 429', httpError(STS, 429, { error: 'rate_limit_exceeded' }), 'UPSTREAM_UNAVAILABLE', 'sts', 'rate_limit_exceeded'],
    ['STS 500', httpError(STS, 500, 'oops'), 'UPSTREAM_UNAVAILABLE', 'sts', 'HTTP 500'],
    ['IAM 403', httpError(IAM, 403, { error: { code: 403, status: 'PERMISSION_DENIED', message: 'denied' } }), 'UPSTREAM_DENIED', 'iam', 'PERMISSION_DENIED'],
    ['IAM 404', httpError(IAM, 404, { error: { code: 404, status: 'NOT_FOUND', message: 'gone' } }), 'UPSTREAM_DENIED', 'iam', 'NOT_FOUND'],
    ['IAM 401', httpError(IAM, 401, { error: { code: 401, status: 'UNAUTHENTICATED', message: 'x' } }), 'UPSTREAM_DENIED', 'iam', 'UNAUTHENTICATED'],
    ['IAM 400', httpError(IAM, 400, { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'lifetime' } }), 'INVALID_ARGUMENT', 'iam', 'INVALID_ARGUMENT'],
    ['IAM 503', httpError(IAM, 503, { error: { code: 503, status: 'UNAVAILABLE', message: 'x' } }), 'UPSTREAM_UNAVAILABLE', 'iam', 'UNAVAILABLE'],
    ['OAuth2 400 invalid_grant', httpError(OAUTH2, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }), 'UPSTREAM_DENIED', 'oauth2', 'invalid_grant'],
    ['an error code that is not a code', httpError(STS, 403, { error: 'ya29.not-a-code value' }), 'UPSTREAM_DENIED', 'sts', 'HTTP 403'],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', config: { url: new URL(STS) } }), 'UPSTREAM_UNAVAILABLE', 'sts', 'ECONNREFUSED'],
    ['a timeout', Object.assign(new Error('aborted'), { code: 'TimeoutError', config: { url: new URL(IAM) } }), 'UPSTREAM_UNAVAILABLE', 'iam', 'TimeoutError'],
    ['an error without a response', new TypeError('fetch failed'), 'UPSTREAM_UNAVAILABLE', 'other', 'TypeError'],
  ])('%s → %s', (_name, error, code, upstream, reason) => {
    const mapped = mapGcpError(error, SA);
    expect(mapped).toBeInstanceOf(LakegateError);
    expect(mapped.code).toBe(code);
    expect(mapped.details).toMatchObject({ upstream, reason });
    expect(mapped.message).toContain(SA);
    // Neither what was sent (the config) nor Google's own text reaches the message, details or cause.
    const visible = JSON.stringify({ message: mapped.message, details: mapped.details, cause: String(mapped.cause) });
    expect(visible).not.toContain('ya29');
    expect(visible).not.toContain('Invalid JWT Signature');
    expect(mapped.cause).not.toBe(error);
  });

  it('missing Application Default Credentials → FAILED_PRECONDITION', () => {
    const mapped = mapGcpError(new Error('Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information.'), SA);
    expect(mapped.code).toBe('FAILED_PRECONDITION');
    expect(mapped.message).toMatch(/no Google credentials/);
  });

  it('passes a LakegateError through unchanged', () => {
    const original = new LakegateError('INVALID_ARGUMENT', 'x');
    expect(mapGcpError(original, SA)).toBe(original);
  });
});

describe('GcpMinter', () => {
  it('describes itself: gcp, 600–3600 s, default 3600, not revocable', () => {
    expect(new GcpMinter({}).capabilities).toEqual({ cloud: 'gcp', minDurationSeconds: 600, maxDurationSeconds: 3600, defaultDurationSeconds: 3600, revocable: false });
    expect(new GcpMinter({ maxDurationSeconds: 900 }).capabilities).toMatchObject({ maxDurationSeconds: 900, defaultDurationSeconds: 900 });
  });

  it.each([
    [1, 600],
    [600, 600],
    [1799.9, 1799],
    [3600, 3600],
    [86_400, 3600],
    [Number.POSITIVE_INFINITY, 3600],
  ])('clamps %d s to %i s', (requested, clamped) => {
    expect(new GcpMinter({}).clampDuration(requested)).toBe(clamped);
  });

  it('refuses an invalid configuration at construction', () => {
    expect(() => new GcpMinter({ maxAttempts: 0 })).toThrow(LakegateError);
  });
});
