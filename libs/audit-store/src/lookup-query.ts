import { createHash } from 'node:crypto';
import { CODECS, LakegateError, canonicalJson } from '@lakegate/contracts';
import type { LookupAttributeKey, LookupEventsRequest } from '@lakegate/contracts';

export const DEFAULT_MAX_RESULTS = 50;

/** Position after the last event of a page: events strictly older in (time, tiebreak) order come next. */
export interface LookupCursor {
  readonly timeMs: number;
  /** The store's insertion sequence, which orders events with the same time. */
  readonly seq: number;
}

/** A validated `LookupEventsRequest`, in the form a store queries with. */
export interface LookupQuery {
  readonly attribute?: { readonly key: LookupAttributeKey; readonly value: string };
  /** Inclusive bounds, epoch ms. */
  readonly startMs?: number;
  readonly endMs?: number;
  readonly maxResults: number;
  readonly after?: LookupCursor;
  /** Binds page tokens to the filter they were issued for. */
  readonly filterDigest: string;
}

// The range of a JS Date.
const MAX_ABS_MS = 8.64e15;
const TOKEN_VERSION = 1;

const invalid = (message: string): LakegateError => new LakegateError('INVALID_ARGUMENT', message);

/** Validates a `LookupEventsRequest` and resolves its times, attribute and page token. */
export function parseLookupRequest(req: unknown): LookupQuery {
  const request: LookupEventsRequest = CODECS.lookupEventsRequest.check(req);
  const attr = request.LookupAttributes?.[0];
  let attribute: LookupQuery['attribute'];
  if (attr) {
    let value = attr.AttributeValue;
    if (attr.AttributeKey === 'ReadOnly') {
      value = value.toLowerCase();
      if (value !== 'true' && value !== 'false') throw invalid(`The ReadOnly lookup attribute must be 'true' or 'false'.`);
    }
    attribute = { key: attr.AttributeKey, value };
  }
  const startMs = request.StartTime === undefined ? undefined : parseTime(request.StartTime, 'StartTime');
  const endMs = request.EndTime === undefined ? undefined : parseTime(request.EndTime, 'EndTime');
  if (startMs !== undefined && endMs !== undefined && startMs > endMs) throw invalid('StartTime must not be after EndTime.');
  const filterDigest = digestFilter(attribute, startMs, endMs);
  const query: LookupQuery = {
    maxResults: request.MaxResults ?? DEFAULT_MAX_RESULTS,
    filterDigest,
    ...(attribute && { attribute }),
    ...(startMs !== undefined && { startMs }),
    ...(endMs !== undefined && { endMs }),
  };
  return request.NextToken === undefined ? query : { ...query, after: decodeNextToken(request.NextToken, filterDigest) };
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2}))?$/;
const EPOCH_SECONDS = /^-?\d{1,13}(?:\.\d{1,9})?$/;

/**
 * A lookup time: epoch seconds (a number, or a string of digits) or an ISO-8601 date or date-time
 * with a zone. Returns epoch ms. Calendar-impossible dates are refused, not rolled over.
 */
export function parseTime(value: number | string, name: string): number {
  const bad = () => invalid(`${name} must be epoch seconds or an ISO-8601 time with a zone, e.g. 2024-05-01T12:00:00Z.`);
  if (typeof value === 'number' || EPOCH_SECONDS.test(value)) {
    const ms = Math.round(Number(value) * 1000);
    if (!Number.isFinite(ms) || Math.abs(ms) > MAX_ABS_MS) throw bad();
    return ms;
  }
  const m = ISO_TIME.exec(value);
  if (!m) throw bad();
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((p) => Number(p ?? 0)) as [
    number, number, number, number, number, number,
  ];
  const fraction = Number(`0.${m[7] ?? '0'}`);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) throw bad();
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) throw bad();
  date.setUTCHours(hour, minute, second, Math.round(fraction * 1000));
  let ms = date.getTime();
  const zone = m[8];
  if (zone && zone !== 'Z' && zone !== 'z') {
    const digits = zone.replace(':', '');
    const offHours = Number(digits.slice(1, 3));
    const offMinutes = Number(digits.slice(3, 5));
    if (offHours > 23 || offMinutes > 59) throw bad();
    ms -= (zone.startsWith('-') ? -1 : 1) * (offHours * 60 + offMinutes) * 60_000;
  }
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_ABS_MS) throw bad();
  return ms;
}

function digestFilter(attribute: LookupQuery['attribute'], startMs: number | undefined, endMs: number | undefined): string {
  const filter = { a: attribute?.key ?? null, v: attribute?.value ?? null, s: startMs ?? null, e: endMs ?? null };
  return createHash('sha256').update(canonicalJson(filter)).digest('base64url').slice(0, 16);
}

/** An opaque page token: base64url JSON of the cursor and the digest of the filter it belongs to. */
export function encodeNextToken(cursor: LookupCursor, filterDigest: string): string {
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, t: cursor.timeMs, s: cursor.seq, f: filterDigest })).toString('base64url');
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{1,512}$/;

/** Decodes a page token, refusing anything this store did not issue for this filter. */
export function decodeNextToken(token: string, filterDigest: string): LookupCursor {
  const bad = invalid('NextToken is not valid.');
  if (!TOKEN_SHAPE.test(token)) throw bad;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw bad;
  const { v, t, s, f, ...rest } = parsed as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || v !== TOKEN_VERSION || typeof f !== 'string') throw bad;
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || Math.abs(t) > MAX_ABS_MS) throw bad;
  if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 1) throw bad;
  if (f !== filterDigest) throw invalid('NextToken was issued for a different query; repeat the same filter and time range.');
  return { timeMs: t, seq: s };
}
