import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CODECS, LakegateError, type AuditRecord, type LookupEventsRequest, type LookupEventsResponse } from '@lakegate/contracts';
import { AuditRedactor, buildAuditRecord, type AuditRecordInput } from '@lakegate/audit';
import type { AuditStore } from './audit-store.port.js';
import { openSqliteAuditStore } from './sqlite-audit-store.adapter.js';

const redactor = new AuditRedactor(new Uint8Array(32).fill(3));
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

function makeRecord(i: number, over: Partial<AuditRecordInput> = {}): AuditRecord {
  return buildAuditRecord(
    {
      stage: 'minter',
      eventName: 'GenerateTemporaryVolumeCredentials',
      requestId: `req-${String(i).padStart(8, '0')}`,
      eventId: `evt-${String(i).padStart(4, '0')}`,
      eventTime: new Date(T0 + i * 1000),
      region: 'us-east-1',
      userIdentity: { type: 'LakegateUser', principalId: 'alice', userName: 'alice' },
      readOnly: true,
      resources: [{ type: 'lakegate::Volume', name: `main.sales.v${i % 3}` }],
      ...over,
    },
    redactor,
  );
}

function invalidArgument(fn: () => unknown): LakegateError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LakegateError);
    expect((error as LakegateError).code).toBe('INVALID_ARGUMENT');
    return error as LakegateError;
  }
  throw new Error('expected INVALID_ARGUMENT, nothing was thrown');
}

/** Follows NextToken to the end; returns every page. */
function allPages(store: AuditStore, req: LookupEventsRequest): LookupEventsResponse[] {
  const pages: LookupEventsResponse[] = [];
  let token: string | undefined;
  do {
    const page = store.lookup(token === undefined ? req : { ...req, NextToken: token });
    CODECS.lookupEventsResponse.check(page);
    pages.push(page);
    token = page.NextToken;
    if (pages.length > 10_000) throw new Error('pagination does not end');
  } while (token !== undefined);
  return pages;
}

const ids = (pages: LookupEventsResponse[]) => pages.flatMap((p) => p.Events.map((e) => e.EventId));

describe('SQLite audit store', () => {
  let dir: string;
  let store: AuditStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lakegate-audit-store-'));
    store = openSqliteAuditStore(':memory:');
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('appendBatch', () => {
    it('stores many records in one transaction, chained and de-duplicated like single appends', () => {
      const records = Array.from({ length: 20 }, (_, i) => makeRecord(i));
      const results = store.appendBatch([...records, records[3]!].map((record, i) => ({ record, meta: { streamSeq: i + 1 } })));
      expect(results.filter((r) => r === 'inserted')).toHaveLength(20);
      expect(results[20]).toBe('duplicate');
      expect(store.lastStreamSeq()).toBe(21);
      expect(store.verifyChain()).toMatchObject({ ok: true, checked: 20 });
    });

    it('writes nothing when one record of the batch is invalid', () => {
      expect(() => store.appendBatch([{ record: makeRecord(1), meta: { streamSeq: 1 } }, { record: { ...makeRecord(2), extra: 1 } as AuditRecord, meta: { streamSeq: 2 } }])).toThrow(LakegateError);
      expect(store.lastStreamSeq()).toBe(0);
      expect(store.lookup({}).Events).toHaveLength(0);
    });
  });

  describe('append', () => {
    it('stores a record once; a redelivery is a duplicate and only moves the stream position', () => {
      const r = makeRecord(1);
      expect(store.lastStreamSeq()).toBe(0);
      expect(store.append(r, { streamSeq: 10 })).toBe('inserted');
      expect(store.append(r, { streamSeq: 11 })).toBe('duplicate');
      expect(store.append({ ...r, eventName: 'Changed' }, { streamSeq: 12 })).toBe('duplicate');
      expect(store.append(r, { streamSeq: 5 })).toBe('duplicate');
      expect(store.lastStreamSeq()).toBe(12);
      const { Events } = store.lookup({});
      expect(Events).toHaveLength(1);
      expect(Events[0]?.EventName).toBe('GenerateTemporaryVolumeCredentials');
      expect(store.verifyChain()).toEqual({ ok: true, checked: 1 });
    });

    it('refuses a record that is not an AuditRecord, and a bad stream sequence', () => {
      invalidArgument(() => store.append({ ...makeRecord(1), extra: 1 } as AuditRecord, { streamSeq: 1 }));
      invalidArgument(() => store.append({ ...makeRecord(1), eventTime: 'not a time' }, { streamSeq: 1 }));
      for (const streamSeq of [-1, 1.5, Number.NaN]) invalidArgument(() => store.append(makeRecord(1), { streamSeq }));
      expect(store.lookup({}).Events).toHaveLength(0);
      expect(store.lastStreamSeq()).toBe(0);
    });
  });

  describe('lookup', () => {
    it('projects each record as a LookupEvents event', () => {
      const record = makeRecord(1, {
        eventTime: new Date(T0 + 1234),
        readOnly: false,
        userIdentity: { type: 'LakegateUser', principalId: 'svc-etl', accessKeyId: 'LGAK0001' },
        resources: [
          { type: 'lakegate::Volume', name: 'main.sales.raw' },
          { type: 'AWS::S3::Object', name: 's3://bucket/raw' },
        ],
      });
      store.append(record, { streamSeq: 1 });
      const [event] = store.lookup({}).Events;
      expect(event).toEqual({
        EventId: 'evt-0001',
        EventName: 'GenerateTemporaryVolumeCredentials',
        ReadOnly: 'false',
        AccessKeyId: 'LGAK0001',
        EventTime: (T0 + 1234) / 1000,
        EventSource: 'lakegate.amazonaws.com',
        Username: 'svc-etl',
        Resources: [
          { ResourceType: 'lakegate::Volume', ResourceName: 'main.sales.raw' },
          { ResourceType: 'AWS::S3::Object', ResourceName: 's3://bucket/raw' },
        ],
        CloudTrailEvent: expect.any(String),
      });
      expect(JSON.parse(event!.CloudTrailEvent)).toEqual(record);
    });

    it('takes the access key id from the response elements when the caller had none, and omits what is unknown', () => {
      store.append(
        makeRecord(1, { userIdentity: { type: 'Anonymous' }, responseElements: { accessKeyId: 'ASIAIOSFODNN7EXAMPLE' } }),
        { streamSeq: 1 },
      );
      store.append(makeRecord(2, { userIdentity: { type: 'Anonymous' } }), { streamSeq: 2 });
      const [second, first] = store.lookup({}).Events;
      expect(first).toMatchObject({ AccessKeyId: 'ASIAIOSFODNN7EXAMPLE' });
      expect(first).not.toHaveProperty('Username');
      expect(second).not.toHaveProperty('AccessKeyId');
      expect(second).not.toHaveProperty('Username');
      expect(store.lookup({ LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: 'ASIAIOSFODNN7EXAMPLE' }] }).Events).toHaveLength(1);
    });

    it('pages through 120 records, 7 at a time, newest first, visiting each exactly once', () => {
      // Every third record shares its time with the next one, so the tiebreak matters.
      for (let i = 0; i < 120; i++) {
        store.append(makeRecord(i, { eventTime: new Date(T0 + Math.floor(i / 3) * 1000) }), { streamSeq: i + 1 });
      }
      const pages = allPages(store, { MaxResults: 7 });
      expect(pages).toHaveLength(Math.ceil(120 / 7));
      for (const page of pages) expect(page.Events.length).toBeLessThanOrEqual(7);
      expect(pages.slice(0, -1).every((p) => p.Events.length === 7 && p.NextToken)).toBe(true);
      expect(pages.at(-1)?.NextToken).toBeUndefined();
      const expected = Array.from({ length: 120 }, (_, i) => `evt-${String(119 - i).padStart(4, '0')}`);
      expect(ids(pages)).toEqual(expected);
      const times = pages.flatMap((p) => p.Events.map((e) => e.EventTime));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it('returns 50 by default and no token when everything fits', () => {
      for (let i = 0; i < 60; i++) store.append(makeRecord(i), { streamSeq: i + 1 });
      const first = store.lookup({});
      expect(first.Events).toHaveLength(50);
      expect(first.NextToken).toBeDefined();
      const rest = store.lookup({ NextToken: first.NextToken! });
      expect(rest.Events).toHaveLength(10);
      expect(rest).not.toHaveProperty('NextToken');
      expect(store.lookup({ MaxResults: 50, StartTime: (T0 + 50_000) / 1000 })).not.toHaveProperty('NextToken');
    });

    it('pages correctly for any mix of times, filters and page sizes', () => {
      const recordsArb = fc.array(
        fc.record({ t: fc.integer({ min: 0, max: 20 }), name: fc.constantFrom('A', 'B'), user: fc.constantFrom('alice', 'bob'), readOnly: fc.boolean() }),
        { maxLength: 60 },
      );
      const filterArb = fc.oneof(
        fc.constant(undefined),
        fc.constantFrom('A', 'B').map((v) => ({ AttributeKey: 'EventName' as const, AttributeValue: v })),
        fc.constantFrom('alice', 'bob').map((v) => ({ AttributeKey: 'Username' as const, AttributeValue: v })),
        fc.constantFrom('true', 'false').map((v) => ({ AttributeKey: 'ReadOnly' as const, AttributeValue: v })),
        fc.constantFrom('main.sales.v0', 'main.sales.v1').map((v) => ({ AttributeKey: 'ResourceName' as const, AttributeValue: v })),
        fc.constantFrom('lakegate::Volume', 'lakegate::Table').map((v) => ({ AttributeKey: 'ResourceType' as const, AttributeValue: v })),
      );
      fc.assert(
        fc.property(recordsArb, filterArb, fc.integer({ min: 1, max: 50 }), fc.option(fc.tuple(fc.nat(20), fc.nat(20))), (specs, filter, max, range) => {
          const s = openSqliteAuditStore(':memory:');
          try {
            const records = specs.map((spec, i) =>
              makeRecord(i, {
                eventTime: new Date(T0 + spec.t * 1000),
                eventName: spec.name,
                userIdentity: { type: 'LakegateUser', userName: spec.user },
                readOnly: spec.readOnly,
                // Two resources of one type: the event must still come back once.
                resources: [
                  { type: 'lakegate::Volume', name: `main.sales.v${i % 3}` },
                  { type: 'lakegate::Volume', name: `main.sales.v${(i + 1) % 3}` },
                ],
              }),
            );
            records.forEach((r, i) => s.append(r, { streamSeq: i + 1 }));
            const [lo, hi] = range ? [Math.min(...range), Math.max(...range)] : [undefined, undefined];
            const req: LookupEventsRequest = { MaxResults: max, ...(filter && { LookupAttributes: [filter] }) };
            if (lo !== undefined && hi !== undefined) Object.assign(req, { StartTime: (T0 + lo * 1000) / 1000, EndTime: new Date(T0 + hi * 1000).toISOString() });
            const matches = (r: AuditRecord, i: number) => {
              const t = specs[i]!.t;
              if (lo !== undefined && (t < lo || t > hi!)) return false;
              if (!filter) return true;
              switch (filter.AttributeKey) {
                case 'EventName':
                  return r.eventName === filter.AttributeValue;
                case 'Username':
                  return r.userIdentity['userName'] === filter.AttributeValue;
                case 'ReadOnly':
                  return String(r.readOnly) === filter.AttributeValue;
                case 'ResourceType':
                  return r.resources.some((x) => x.type === filter.AttributeValue);
                default:
                  return r.resources.some((x) => x.name === filter.AttributeValue);
              }
            };
            const expected = records
              .map((r, i) => ({ r, i }))
              .filter(({ r, i }) => matches(r, i))
              .sort((a, b) => specs[b.i]!.t - specs[a.i]!.t || b.i - a.i)
              .map(({ r }) => r.eventID);
            const pages = allPages(s, req);
            expect(ids(pages)).toEqual(expected);
            expect(pages).toHaveLength(Math.max(1, Math.ceil(expected.length / max)));
          } finally {
            s.close();
          }
        }),
        { numRuns: 150 },
      );
    });

    describe('by lookup attribute', () => {
      beforeEach(() => {
        const records = [
          makeRecord(1, { eventName: 'GetTemporaryGlueTableCredentials', userIdentity: { type: 'LakegateUser', userName: 'alice', accessKeyId: 'AK1' } }),
          makeRecord(2, { eventName: 'GetTemporaryGlueTableCredentials', readOnly: false, userIdentity: { type: 'LakegateUser', principalId: 'bob' } }),
          makeRecord(3, {
            eventName: 'GenerateTemporaryVolumeCredentials',
            userIdentity: { type: 'LakegateUser', userName: 'carol', principalId: 'p-carol' },
            responseElements: { accessKeyId: 'ASIA2' },
            resources: [
              { type: 'AWS::Glue::Table', name: 'arn:aws:glue:us-east-1:000000000000:table/db/t' },
              { type: 'AWS::S3::Object', name: 's3://bucket/t' },
            ],
          }),
          makeRecord(4, { eventName: 'ListShares', resources: [] }),
        ];
        records.forEach((r, i) => store.append(r, { streamSeq: i + 1 }));
      });

      it.each([
        ['EventId', 'evt-0003', ['evt-0003']],
        ['EventId', 'evt-9999', []],
        ['EventName', 'GetTemporaryGlueTableCredentials', ['evt-0002', 'evt-0001']],
        ['EventName', 'gettemporarygluetablecredentials', []],
        ['ReadOnly', 'true', ['evt-0004', 'evt-0003', 'evt-0001']],
        ['ReadOnly', 'false', ['evt-0002']],
        ['ReadOnly', 'False', ['evt-0002']],
        ['Username', 'alice', ['evt-0004', 'evt-0001']],
        ['Username', 'bob', ['evt-0002']],
        ['Username', 'carol', ['evt-0003']],
        ['Username', 'p-carol', []],
        ['AccessKeyId', 'AK1', ['evt-0001']],
        ['AccessKeyId', 'ASIA2', ['evt-0003']],
        ['EventSource', 'lakegate.amazonaws.com', ['evt-0004', 'evt-0003', 'evt-0002', 'evt-0001']],
        ['EventSource', 'sts.amazonaws.com', []],
        ['ResourceType', 'lakegate::Volume', ['evt-0002', 'evt-0001']],
        ['ResourceType', 'AWS::S3::Object', ['evt-0003']],
        ['ResourceName', 'arn:aws:glue:us-east-1:000000000000:table/db/t', ['evt-0003']],
        ['ResourceName', 'main.sales.v1', ['evt-0001']],
        ['ResourceName', 'main.sales', []],
      ] as const)('%s = %s', (key, value, expected) => {
        const pages = allPages(store, { LookupAttributes: [{ AttributeKey: key, AttributeValue: value }], MaxResults: 1 });
        expect(ids(pages)).toEqual(expected);
      });
    });

    describe('time bounds', () => {
      beforeEach(() => {
        for (let i = 0; i < 10; i++) store.append(makeRecord(i), { streamSeq: i + 1 });
      });
      const sec = (i: number) => (T0 + i * 1000) / 1000;
      const iso = (i: number) => new Date(T0 + i * 1000).toISOString();
      const evts = (...is: number[]) => is.map((i) => `evt-${String(i).padStart(4, '0')}`);

      it.each([
        ['inclusive epoch seconds', { StartTime: sec(3), EndTime: sec(5) }, evts(5, 4, 3)],
        ['ISO strings', { StartTime: iso(3), EndTime: iso(5) }, evts(5, 4, 3)],
        ['numeric strings', { StartTime: String(sec(8)) }, evts(9, 8)],
        ['offset ISO', { EndTime: new Date(T0 + 1000).toISOString().replace('Z', '+00:00') }, evts(1, 0)],
        ['fractional seconds', { StartTime: sec(3) + 0.001, EndTime: sec(5) - 0.001 }, evts(4)],
        ['only StartTime', { StartTime: sec(7) }, evts(9, 8, 7)],
        ['only EndTime', { EndTime: sec(1) }, evts(1, 0)],
        ['one instant', { StartTime: sec(4), EndTime: sec(4) }, evts(4)],
        ['before everything', { EndTime: sec(-1) }, []],
        ['after everything', { StartTime: sec(10) }, []],
      ])('%s', (_why, bounds, expected) => {
        expect(ids(allPages(store, { ...bounds, MaxResults: 2 }))).toEqual(expected);
      });

      it.each([
        ['StartTime after EndTime', { StartTime: sec(5), EndTime: sec(3) }],
        ['unparseable time', { StartTime: 'last tuesday' }],
        ['local time without zone', { EndTime: '2024-05-01T12:00:00' }],
        ['impossible date', { StartTime: '2024-02-30T00:00:00Z' }],
      ])('refuses %s', (_why, bounds) => {
        invalidArgument(() => store.lookup(bounds));
      });
    });

    describe('page tokens', () => {
      beforeEach(() => {
        for (let i = 0; i < 10; i++) store.append(makeRecord(i), { streamSeq: i + 1 });
      });

      it.each([
        ['garbage', 'definitely-not-a-token'],
        ['non-base64 characters', '$$$'],
        ['JSON without a cursor', Buffer.from('{"hello":"world"}').toString('base64url')],
        ['a forged cursor with a wrong filter digest', Buffer.from(JSON.stringify({ v: 1, t: T0, s: 3, f: 'AAAAAAAAAAAAAAAA' })).toString('base64url')],
      ])('refuses %s', (_why, NextToken) => {
        invalidArgument(() => store.lookup({ NextToken }));
      });

      it('refuses a truncated token', () => {
        const { NextToken } = store.lookup({ MaxResults: 2 });
        invalidArgument(() => store.lookup({ MaxResults: 2, NextToken: NextToken!.slice(0, -4) }));
      });

      it('refuses a token reused with another filter, but accepts another page size', () => {
        const { NextToken } = store.lookup({ MaxResults: 2, LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'alice' }] });
        expect(NextToken).toBeDefined();
        invalidArgument(() => store.lookup({ NextToken: NextToken! }));
        invalidArgument(() => store.lookup({ NextToken: NextToken!, LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'bob' }] }));
        invalidArgument(() =>
          store.lookup({ NextToken: NextToken!, StartTime: 0, LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'alice' }] }),
        );
        const next = store.lookup({ MaxResults: 5, NextToken: NextToken!, LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'alice' }] });
        expect(ids([next])).toEqual(['evt-0007', 'evt-0006', 'evt-0005', 'evt-0004', 'evt-0003']);
      });

      it('keeps a page stable when newer events arrive between pages', () => {
        const first = store.lookup({ MaxResults: 4 });
        store.append(makeRecord(100), { streamSeq: 100 });
        const second = store.lookup({ MaxResults: 4, NextToken: first.NextToken! });
        expect(ids([first, second])).toEqual(['evt-0009', 'evt-0008', 'evt-0007', 'evt-0006', 'evt-0005', 'evt-0004', 'evt-0003', 'evt-0002']);
      });
    });
  });

  describe('on a file', () => {
    it('uses WAL, versions its schema, and keeps data and stream position across reopen', () => {
      const path = join(dir, 'audit.db');
      const first = openSqliteAuditStore(path);
      for (let i = 0; i < 5; i++) first.append(makeRecord(i), { streamSeq: 100 + i });
      first.close();

      const raw = new Database(path, { readonly: true });
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('user_version', { simple: true })).toBe(1);
      raw.close();

      const again = openSqliteAuditStore(path);
      try {
        expect(again.lastStreamSeq()).toBe(104);
        expect(ids(allPages(again, {}))).toEqual(['evt-0004', 'evt-0003', 'evt-0002', 'evt-0001', 'evt-0000']);
        expect(again.append(makeRecord(2), { streamSeq: 102 })).toBe('duplicate');
        expect(again.append(makeRecord(5), { streamSeq: 105 })).toBe('inserted');
        expect(again.verifyChain()).toEqual({ ok: true, checked: 6 });
      } finally {
        again.close();
      }
    });

    it('refuses a schema newer than it knows', () => {
      const path = join(dir, 'future.db');
      const raw = new Database(path);
      raw.pragma('user_version = 99');
      raw.close();
      expect(() => openSqliteAuditStore(path)).toThrow(expect.objectContaining({ code: 'FAILED_PRECONDITION' }));
    });

    it('keeps one chain when two stores append to the same file', () => {
      const path = join(dir, 'shared.db');
      const a = openSqliteAuditStore(path);
      const b = openSqliteAuditStore(path);
      try {
        for (let i = 0; i < 40; i++) (i % 2 ? a : b).append(makeRecord(i), { streamSeq: i + 1 });
        expect(a.append(makeRecord(7), { streamSeq: 41 })).toBe('duplicate');
        expect(b.verifyChain()).toEqual({ ok: true, checked: 40 });
        expect(a.lastStreamSeq()).toBe(41);
      } finally {
        a.close();
        b.close();
      }
    });
  });

  describe('digest chain', () => {
    // More records than one verification batch; written once, copied for each test.
    const templateDir = mkdtempSync(join(tmpdir(), 'lakegate-audit-chain-'));
    const template = join(templateDir, 'chain.db');
    let path: string;
    let fileStore: AuditStore;

    beforeAll(() => {
      const s = openSqliteAuditStore(template, { synchronous: 'normal' });
      for (let i = 0; i < 1200; i++) s.append(makeRecord(i), { streamSeq: i + 1 });
      s.close();
    });
    afterAll(() => rmSync(templateDir, { recursive: true, force: true }));
    beforeEach(() => {
      path = join(dir, 'chain.db');
      copyFileSync(template, path);
      fileStore = openSqliteAuditStore(path);
    });
    afterEach(() => fileStore.close());

    const tamper = (sql: string, ...params: unknown[]) => {
      const raw = new Database(path);
      try {
        raw.pragma('foreign_keys = OFF');
        expect(raw.prepare(sql).run(...params).changes).toBeGreaterThan(0);
      } finally {
        raw.close();
      }
    };

    it('verifies an untouched store', () => {
      expect(fileStore.verifyChain()).toEqual({ ok: true, checked: 1200 });
    });

    it('verifies an empty store', () => {
      expect(store.verifyChain()).toEqual({ ok: true, checked: 0 });
    });

    it.each([
      ['a rewritten record', `UPDATE events SET record_json = replace(record_json, '"readOnly":true', '"readOnly":false') WHERE event_id = ?`, 'evt-0700', 701],
      ['a rewritten record and digest', `UPDATE events SET record_json = replace(record_json, 'alice', 'mallory'), digest = 'x' WHERE event_id = ?`, 'evt-0700', 701],
      ['a changed link column', `UPDATE events SET prev_digest = '${'1'.repeat(64)}' WHERE event_id = ?`, 'evt-0600', 601],
      ['a changed index column', `UPDATE events SET username = 'mallory' WHERE event_id = ?`, 'evt-0003', 4],
      ['a changed time column', `UPDATE events SET event_time_ms = event_time_ms + 1 WHERE event_id = ?`, 'evt-1199', 1200],
      ['a removed resource row', `DELETE FROM resources WHERE event_id = ?`, 'evt-0010', 11],
      ['a changed resource row', `UPDATE resources SET name = 'elsewhere' WHERE event_id = ?`, 'evt-0000', 1],
    ])('detects %s', (_why, sql, eventId, checked) => {
      tamper(sql, eventId);
      expect(fileStore.verifyChain()).toEqual({ ok: false, checked, brokenAt: eventId });
    });

    it('detects a removed record at the next one', () => {
      tamper('DELETE FROM resources WHERE event_id = ?', 'evt-0500');
      tamper('DELETE FROM events WHERE event_id = ?', 'evt-0500');
      expect(fileStore.verifyChain()).toEqual({ ok: false, checked: 501, brokenAt: 'evt-0501' });
    });

    it('detects a rewritten record even when its own digest is recomputed, at the next link', () => {
      const raw = new Database(path);
      const row = raw.prepare('SELECT record_json, prev_digest FROM events WHERE event_id = ?').get('evt-0042') as { record_json: string; prev_digest: string };
      const forged = row.record_json.replace('"readOnly":true', '"readOnly":false');
      const digest = createHash('sha256').update(row.prev_digest).update(forged).digest('hex');
      raw.prepare('UPDATE events SET record_json = ?, read_only = 0, digest = ? WHERE event_id = ?').run(forged, digest, 'evt-0042');
      raw.close();
      expect(fileStore.verifyChain()).toEqual({ ok: false, checked: 44, brokenAt: 'evt-0043' });
    });
  });
});
