import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roleSessionName, sessionTagValue, sourceIdentity } from './role-session-name.js';

const STS_NAME = /^[\w+=,.@-]{2,64}$/;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const anyString = fc.string({ unit: 'binary', maxLength: 300 });

describe('roleSessionName', () => {
  it.each([
    ['alice@example.com', 'req-1', /^alice@example\.com\.req-1\.[0-9a-f]{8}$/],
    ['', '', /^_\._\.[0-9a-f]{8}$/],
    ['svc:etl/job 7', '0b5e…', /^svc_etl_job_7\.0b5e_\.[0-9a-f]{8}$/],
    ['x'.repeat(100), 'y'.repeat(100), new RegExp(`^x{32}\\.y{20}\\.[0-9a-f]{8}$`)],
    ['日本', '😀', /^__\._\.[0-9a-f]{8}$/],
  ])('%j + %j', (principal, requestId, expected) => {
    expect(roleSessionName(principal, requestId)).toMatch(expected);
  });

  it('is deterministic', () => {
    expect(roleSessionName('alice', 'r1')).toBe(roleSessionName('alice', 'r1'));
  });

  it('tells apart principals that sanitise alike, and requests of one principal', () => {
    expect(roleSessionName('a:b', 'r')).not.toBe(roleSessionName('a/b', 'r'));
    expect(roleSessionName('alice', 'r1')).not.toBe(roleSessionName('alice', 'r2'));
    expect(roleSessionName('alice', 'x'.repeat(30) + '1')).not.toBe(roleSessionName('alice', 'x'.repeat(30) + '2'));
  });

  it('is valid for STS for any principal and request id (property)', () => {
    fc.assert(
      fc.property(anyString, anyString, (principal, requestId) => {
        expect(roleSessionName(principal, requestId)).toMatch(STS_NAME);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('sourceIdentity', () => {
  it.each([
    ['alice@example.com', 'alice@example.com'],
    ['svc-etl', 'svc-etl'],
    ['a', /^a\.[0-9a-f]{8}$/],
    ['', /^\.[0-9a-f]{8}$/],
    ['user:alice', /^user_alice\.[0-9a-f]{8}$/],
    ['x'.repeat(64), 'x'.repeat(64)],
    ['x'.repeat(65), new RegExp(`^x{55}\\.[0-9a-f]{8}$`)],
  ])('%j', (principal, expected) => {
    const value = sourceIdentity(principal);
    if (typeof expected === 'string') expect(value).toBe(expected);
    else expect(value).toMatch(expected);
  });

  it('keeps principals apart that sanitise alike', () => {
    expect(sourceIdentity('user:alice')).not.toBe(sourceIdentity('user/alice'));
    expect(sourceIdentity('user:alice')).not.toBe(sourceIdentity('user_alice'));
  });

  it('is valid for STS for any principal (property)', () => {
    fc.assert(
      fc.property(anyString, (principal) => {
        expect(sourceIdentity(principal)).toMatch(STS_NAME);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('sessionTagValue', () => {
  it.each([
    ['alice@example.com', 'alice@example.com'],
    ['user:alice/team a', 'user:alice/team a'],
    ['Jürgen 日本', 'Jürgen 日本'],
    ['a;b', /^a_b\.[0-9a-f]{8}$/],
  ])('%j', (principal, expected) => {
    const value = sessionTagValue(principal);
    if (typeof expected === 'string') expect(value).toBe(expected);
    else expect(value).toMatch(expected);
  });

  it('is a valid tag value for any principal (property)', () => {
    fc.assert(
      fc.property(anyString, (principal) => {
        expect(sessionTagValue(principal)).toMatch(TAG_VALUE);
      }),
      { numRuns: 1000 },
    );
  });
});
