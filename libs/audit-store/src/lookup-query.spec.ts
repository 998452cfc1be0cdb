import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LakegateError } from '@lakegate/contracts';
import { decodeNextToken, encodeNextToken, parseLookupRequest, parseTime } from './lookup-query.js';

const invalidArgument = (fn: () => unknown): LakegateError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LakegateError);
    expect((error as LakegateError).code).toBe('INVALID_ARGUMENT');
    return error as LakegateError;
  }
  throw new Error('expected INVALID_ARGUMENT, nothing was thrown');
};

describe('parseTime', () => {
  it.each([
    [0, 0],
    [1_700_000_000, 1_700_000_000_000],
    [1_700_000_000.25, 1_700_000_000_250],
    [1_700_000_000.123, 1_700_000_000_123],
    [-1, -1000],
    ['1700000000', 1_700_000_000_000],
    ['1700000000.5', 1_700_000_000_500],
    ['2024-05-01T12:00:00Z', Date.UTC(2024, 4, 1, 12)],
    ['2024-05-01T12:00:00.123Z', Date.UTC(2024, 4, 1, 12, 0, 0, 123)],
    ['2024-05-01T12:00:00.123456Z', Date.UTC(2024, 4, 1, 12, 0, 0, 123)],
    ['2024-05-01T12:00Z', Date.UTC(2024, 4, 1, 12)],
    ['2024-05-01 12:00:00z', Date.UTC(2024, 4, 1, 12)],
    ['2024-05-01T12:00:00+02:00', Date.UTC(2024, 4, 1, 10)],
    ['2024-05-01T12:00:00-0130', Date.UTC(2024, 4, 1, 13, 30)],
    ['2024-05-01', Date.UTC(2024, 4, 1)],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['0001-01-01T00:00:00Z', -62_135_596_800_000],
  ])('%j → %d ms', (input, ms) => {
    expect(parseTime(input, 'StartTime')).toBe(ms);
  });

  it.each([
    Number.NaN, Number.POSITIVE_INFINITY, 1e13, -1e13, '', 'yesterday', 'May 1, 2024', '2024-05-01T12:00:00',
    '2024-02-30', '2023-02-29', '2024-13-01', '2024-00-10', '2024-05-01T24:00:00Z', '2024-05-01T12:60:00Z',
    '2024-05-01T12:00:60Z', '2024-05-01T12:00:00+24:00', '2024-05-01T12:00:00+01:60', ' 1700000000', '1e9', '0x10',
    '2024-05-01T12:00:00.Z', '99999999999999',
  ])('refuses %j', (input) => {
    const error = invalidArgument(() => parseTime(input, 'EndTime'));
    expect(error.message).toContain('EndTime');
  });
});

describe('parseLookupRequest', () => {
  it('applies defaults', () => {
    const q = parseLookupRequest({});
    expect(q.maxResults).toBe(50);
    expect(q.attribute).toBeUndefined();
    expect(q.after).toBeUndefined();
  });

  it.each([
    ['MaxResults 0', { MaxResults: 0 }],
    ['MaxResults 51', { MaxResults: 51 }],
    ['MaxResults 1.5', { MaxResults: 1.5 }],
    ['two attributes', { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'a' }, { AttributeKey: 'Username', AttributeValue: 'b' }] }],
    ['unknown attribute', { LookupAttributes: [{ AttributeKey: 'Region', AttributeValue: 'a' }] }],
    ['empty attribute value', { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: '' }] }],
    ['ReadOnly yes', { LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'yes' }] }],
    ['unknown member', { Region: 'us-east-1' }],
    ['StartTime after EndTime', { StartTime: 20, EndTime: 10 }],
    ['not an object', 'LookupEvents'],
    ['null', null],
  ])('refuses %s', (_why, req) => {
    invalidArgument(() => parseLookupRequest(req));
  });

  it('accepts equal StartTime and EndTime, and ReadOnly in any case', () => {
    expect(parseLookupRequest({ StartTime: 10, EndTime: '10' })).toMatchObject({ startMs: 10_000, endMs: 10_000 });
    expect(parseLookupRequest({ LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'TRUE' }] }).attribute).toEqual({
      key: 'ReadOnly',
      value: 'true',
    });
  });

  it('binds a page token to its filter', () => {
    const base = { LookupAttributes: [{ AttributeKey: 'EventName' as const, AttributeValue: 'A' }], StartTime: 1, EndTime: 2 };
    const token = encodeNextToken({ timeMs: 1500, seq: 9 }, parseLookupRequest(base).filterDigest);
    expect(parseLookupRequest({ ...base, NextToken: token }).after).toEqual({ timeMs: 1500, seq: 9 });
    // Same filter written differently.
    expect(parseLookupRequest({ ...base, StartTime: '1970-01-01T00:00:01Z', MaxResults: 3, NextToken: token }).after).toEqual({ timeMs: 1500, seq: 9 });
    for (const other of [
      { ...base, LookupAttributes: [{ AttributeKey: 'EventName' as const, AttributeValue: 'B' }] },
      { ...base, LookupAttributes: [{ AttributeKey: 'Username' as const, AttributeValue: 'A' }] },
      { ...base, LookupAttributes: [] },
      { ...base, StartTime: 0 },
      { ...base, EndTime: undefined },
    ]) {
      expect(invalidArgument(() => parseLookupRequest({ ...other, NextToken: token })).message).toContain('different query');
    }
  });
});

describe('page tokens', () => {
  const digest = parseLookupRequest({}).filterDigest;

  it('round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (timeMs, seq) => {
        expect(decodeNextToken(encodeNextToken({ timeMs, seq }, digest), digest)).toEqual({ timeMs, seq });
      }),
    );
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'abc+/=='],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['JSON array', Buffer.from('[1,2]').toString('base64url')],
    ['JSON null', Buffer.from('null').toString('base64url')],
    ['wrong version', Buffer.from(JSON.stringify({ v: 2, t: 1, s: 1, f: digest })).toString('base64url')],
    ['fractional time', Buffer.from(JSON.stringify({ v: 1, t: 1.5, s: 1, f: digest })).toString('base64url')],
    ['string seq', Buffer.from(JSON.stringify({ v: 1, t: 1, s: '1', f: digest })).toString('base64url')],
    ['zero seq', Buffer.from(JSON.stringify({ v: 1, t: 1, s: 0, f: digest })).toString('base64url')],
    ['huge time', Buffer.from(JSON.stringify({ v: 1, t: 1e300, s: 1, f: digest })).toString('base64url')],
    ['extra member', Buffer.from(JSON.stringify({ v: 1, t: 1, s: 1, f: digest, x: 1 })).toString('base64url')],
    ['missing digest', Buffer.from(JSON.stringify({ v: 1, t: 1, s: 1 })).toString('base64url')],
    ['too long', 'A'.repeat(600)],
  ])('refuses %s', (_why, token) => {
    invalidArgument(() => decodeNextToken(token, digest));
  });

  it('refuses any garbage with INVALID_ARGUMENT, never another error', () => {
    const valid = encodeNextToken({ timeMs: 1_700_000_000_000, seq: 42 }, digest);
    const mutated = fc
      .tuple(fc.nat({ max: valid.length - 1 }), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'))
      .map(([i, c]) => `${valid.slice(0, i)}${c}${valid.slice(i + 1)}`)
      .filter((t) => t !== valid);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String(), mutated, fc.json().map((j) => Buffer.from(j).toString('base64url'))), (token) => {
        let cursor: unknown;
        try {
          cursor = decodeNextToken(token, digest);
        } catch (error) {
          expect(error).toBeInstanceOf(LakegateError);
          expect((error as LakegateError).code).toBe('INVALID_ARGUMENT');
          return;
        }
        // A mutation that still decodes must still be a well-formed cursor.
        expect(cursor).toEqual({ timeMs: expect.any(Number), seq: expect.any(Number) });
      }),
      { numRuns: 500 },
    );
  });
});
