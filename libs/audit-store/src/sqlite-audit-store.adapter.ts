import Database from 'better-sqlite3';
import { CODECS, LakegateError, canonicalJson } from '@lakegate/contracts';
import type { AuditRecord, LookupAttributeKey, LookupEventsRequest, LookupEventsResponse } from '@lakegate/contracts';
import type { AppendMeta, AppendResult, AuditStore, ChainVerification } from './audit-store.port.js';
import { encodeNextToken, parseLookupRequest } from './lookup-query.js';
import { GENESIS_DIGEST, chainDigest, indexFieldsOf, type IndexFields } from './record-index.js';

export interface SqliteAuditStoreOptions {
  /** How long a write waits for another connection's lock. Default 5000. */
  busyTimeoutMs?: number;
  /**
   * `full` (default) makes every append durable before it returns, so the consumer may ack the
   * stream message. `normal` is faster, but in WAL mode a power loss can drop the last appends.
   */
  synchronous?: 'full' | 'normal';
}

/** Schema versions, applied in order; `PRAGMA user_version` counts those applied. Never edit one, add one. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    event_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    event_time_ms INTEGER NOT NULL,
    event_name TEXT NOT NULL,
    read_only INTEGER NOT NULL CHECK (read_only IN (0, 1)),
    username TEXT,
    access_key_id TEXT,
    event_source TEXT NOT NULL,
    stream_seq INTEGER NOT NULL,
    record_json TEXT NOT NULL,
    prev_digest TEXT NOT NULL,
    digest TEXT NOT NULL
  );
  CREATE INDEX events_by_time ON events (event_time_ms, seq);
  CREATE INDEX events_by_event_name ON events (event_name, event_time_ms, seq);
  CREATE INDEX events_by_read_only ON events (read_only, event_time_ms, seq);
  CREATE INDEX events_by_username ON events (username, event_time_ms, seq);
  CREATE INDEX events_by_access_key_id ON events (access_key_id, event_time_ms, seq);
  CREATE INDEX events_by_event_source ON events (event_source, event_time_ms, seq);
  CREATE TABLE resources (
    event_id TEXT NOT NULL REFERENCES events (event_id),
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    event_time_ms INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (event_id, type, name)
  );
  CREATE INDEX resources_by_type ON resources (type, event_time_ms, seq);
  CREATE INDEX resources_by_name ON resources (name, event_time_ms, seq);
  CREATE TABLE stream_position (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_stream_seq INTEGER NOT NULL
  );
  INSERT INTO stream_position (id, last_stream_seq) VALUES (1, 0);
  `,
];

interface EventRow {
  event_id: string;
  seq: number;
  event_time_ms: number;
  event_name: string;
  read_only: number;
  username: string | null;
  access_key_id: string | null;
  event_source: string;
  record_json: string;
}

interface ChainRow extends EventRow {
  prev_digest: string;
  digest: string;
}

interface LookupParams {
  value: string | number | null;
  start: number;
  end: number;
  cursorTime: number;
  cursorSeq: number;
  limit: number;
}

const EVENT_COLUMNS = 'e.event_id, e.seq, e.event_time_ms, e.event_name, e.read_only, e.username, e.access_key_id, e.event_source, e.record_json';
const EVENT_COLUMN_FOR: Record<Exclude<LookupAttributeKey, 'ResourceType' | 'ResourceName'>, string> = {
  EventId: 'event_id',
  EventName: 'event_name',
  ReadOnly: 'read_only',
  Username: 'username',
  AccessKeyId: 'access_key_id',
  EventSource: 'event_source',
};
const RESOURCE_COLUMN_FOR = { ResourceType: 'type', ResourceName: 'name' } as const;
// Bounds that stand in for an absent StartTime, EndTime or cursor, so each lookup shape is one prepared statement.
const NO_BOUND = 8.64e15;
const CHAIN_BATCH = 500;

type LookupShape = LookupAttributeKey | 'none';

/**
 * Opens (creating and migrating if needed) an SQLite audit index. `path` may be `':memory:'`.
 * One writer at a time: appends run in IMMEDIATE transactions that read the chain head.
 */
export function openSqliteAuditStore(path: string, opts: SqliteAuditStoreOptions = {}): AuditStore {
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(opts.busyTimeoutMs ?? 5000))}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
    return new SqliteAuditStore(db);
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new LakegateError('FAILED_PRECONDITION', `The audit index has schema version ${version}; this build knows up to ${MIGRATIONS.length}.`);
  }
  if (version === MIGRATIONS.length) return;
  db.transaction(() => {
    for (const sql of MIGRATIONS.slice(version)) db.exec(sql);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

class SqliteAuditStore implements AuditStore {
  readonly #db: Database.Database;
  readonly #findEvent: Database.Statement<[string], { seq: number }>;
  readonly #chainHead: Database.Statement<[], { seq: number; digest: string }>;
  readonly #insertEvent: Database.Statement<[Record<string, unknown>]>;
  readonly #insertResource: Database.Statement<[Record<string, unknown>]>;
  readonly #advanceStream: Database.Statement<[number]>;
  readonly #streamPosition: Database.Statement<[], { last_stream_seq: number }>;
  readonly #chainBatch: Database.Statement<[number, number], ChainRow>;
  readonly #resourcesOf: Database.Statement<[string], { type: string; name: string }>;
  readonly #lookups: ReadonlyMap<LookupShape, Database.Statement<[LookupParams], EventRow>>;
  readonly #appendTx: (record: AuditRecord, fields: IndexFields, streamSeq: number) => AppendResult;
  readonly #appendBatchTx: (items: { record: AuditRecord; fields: IndexFields; streamSeq: number }[]) => AppendResult[];

  constructor(db: Database.Database) {
    this.#db = db;
    this.#findEvent = db.prepare('SELECT seq FROM events WHERE event_id = ?');
    this.#chainHead = db.prepare('SELECT seq, digest FROM events ORDER BY seq DESC LIMIT 1');
    this.#insertEvent = db.prepare(`
      INSERT INTO events (event_id, seq, event_time_ms, event_name, read_only, username, access_key_id, event_source,
                          stream_seq, record_json, prev_digest, digest)
      VALUES (@eventId, @seq, @eventTimeMs, @eventName, @readOnly, @username, @accessKeyId, @eventSource,
              @streamSeq, @recordJson, @prevDigest, @digest)`);
    this.#insertResource = db.prepare(
      'INSERT INTO resources (event_id, type, name, event_time_ms, seq) VALUES (@eventId, @type, @name, @eventTimeMs, @seq)',
    );
    this.#advanceStream = db.prepare('UPDATE stream_position SET last_stream_seq = max(last_stream_seq, ?) WHERE id = 1');
    this.#streamPosition = db.prepare('SELECT last_stream_seq FROM stream_position WHERE id = 1');
    this.#chainBatch = db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
    this.#resourcesOf = db.prepare('SELECT type, name FROM resources WHERE event_id = ?');
    this.#lookups = prepareLookups(db);

    const append = db.transaction((record: AuditRecord, fields: IndexFields, streamSeq: number): AppendResult => {
      this.#advanceStream.run(streamSeq);
      if (this.#findEvent.get(fields.eventId)) return 'duplicate';
      const head = this.#chainHead.get();
      const seq = (head?.seq ?? 0) + 1;
      const prevDigest = head?.digest ?? GENESIS_DIGEST;
      const recordJson = canonicalJson(record);
      this.#insertEvent.run({
        eventId: fields.eventId,
        seq,
        eventTimeMs: fields.eventTimeMs,
        eventName: fields.eventName,
        readOnly: fields.readOnly ? 1 : 0,
        username: fields.username,
        accessKeyId: fields.accessKeyId,
        eventSource: fields.eventSource,
        streamSeq,
        recordJson,
        prevDigest,
        digest: chainDigest(prevDigest, recordJson),
      });
      for (const r of fields.resources) {
        this.#insertResource.run({ eventId: fields.eventId, type: r.type, name: r.name, eventTimeMs: fields.eventTimeMs, seq });
      }
      return 'inserted';
    });
    // IMMEDIATE: take the write lock before reading the chain head, so two writers cannot fork the chain.
    this.#appendTx = (record, fields, streamSeq) => append.immediate(record, fields, streamSeq);
    // Many records, one transaction (one fsync): the inner appends become savepoints.
    const batch = db.transaction((items: { record: AuditRecord; fields: IndexFields; streamSeq: number }[]) => items.map((i) => append(i.record, i.fields, i.streamSeq)));
    this.#appendBatchTx = (items) => batch.immediate(items);
  }

  appendBatch(items: readonly { record: AuditRecord; meta: AppendMeta }[]): AppendResult[] {
    const checked = items.map(({ record, meta }) => {
      const r = CODECS.auditRecord.check(record);
      if (!Number.isSafeInteger(meta?.streamSeq) || meta.streamSeq < 0) throw new LakegateError('INVALID_ARGUMENT', 'streamSeq must be a non-negative integer.');
      return { record: r, fields: indexFieldsOf(r), streamSeq: meta.streamSeq };
    });
    return this.#appendBatchTx(checked);
  }

  append(record: AuditRecord, meta: AppendMeta): AppendResult {
    const checked = CODECS.auditRecord.check(record);
    if (!Number.isSafeInteger(meta?.streamSeq) || meta.streamSeq < 0) {
      throw new LakegateError('INVALID_ARGUMENT', 'streamSeq must be a non-negative integer.');
    }
    return this.#appendTx(checked, indexFieldsOf(checked), meta.streamSeq);
  }

  lookup(req: LookupEventsRequest): LookupEventsResponse {
    const query = parseLookupRequest(req);
    const shape: LookupShape = query.attribute?.key ?? 'none';
    const statement = this.#lookups.get(shape);
    if (!statement) throw new LakegateError('INTERNAL', `No lookup statement for ${shape}.`);
    const rawValue = query.attribute?.value ?? null;
    const rows = statement.all({
      value: shape === 'ReadOnly' ? (rawValue === 'true' ? 1 : 0) : rawValue,
      start: query.startMs ?? -NO_BOUND,
      end: query.endMs ?? NO_BOUND,
      cursorTime: query.after?.timeMs ?? NO_BOUND,
      cursorSeq: query.after?.seq ?? Number.MAX_SAFE_INTEGER,
      limit: query.maxResults + 1,
    });
    const page = rows.slice(0, query.maxResults);
    const last = page[page.length - 1];
    const response: LookupEventsResponse = { Events: page.map(toLookupEvent) };
    if (rows.length > query.maxResults && last) {
      response.NextToken = encodeNextToken({ timeMs: last.event_time_ms, seq: last.seq }, query.filterDigest);
    }
    return response;
  }

  lastStreamSeq(): number {
    return this.#streamPosition.get()?.last_stream_seq ?? 0;
  }

  verifyChain(): ChainVerification {
    let prev = GENESIS_DIGEST;
    let lastSeq = 0;
    let checked = 0;
    for (;;) {
      const batch = this.#chainBatch.all(lastSeq, CHAIN_BATCH);
      for (const row of batch) {
        checked += 1;
        if (row.prev_digest !== prev || chainDigest(prev, row.record_json) !== row.digest || !this.#rowMatchesRecord(row)) {
          return { ok: false, checked, brokenAt: row.event_id };
        }
        prev = row.digest;
        lastSeq = row.seq;
      }
      if (batch.length < CHAIN_BATCH) return { ok: true, checked };
    }
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /** The index columns and resource rows must say what the record says, or lookups could lie. */
  #rowMatchesRecord(row: ChainRow): boolean {
    let record: AuditRecord;
    let fields: IndexFields;
    try {
      record = CODECS.auditRecord.check(JSON.parse(row.record_json));
      if (canonicalJson(record) !== row.record_json) return false;
      fields = indexFieldsOf(record);
    } catch {
      return false;
    }
    const columnsMatch =
      fields.eventId === row.event_id &&
      fields.eventTimeMs === row.event_time_ms &&
      fields.eventName === row.event_name &&
      (fields.readOnly ? 1 : 0) === row.read_only &&
      fields.username === row.username &&
      fields.accessKeyId === row.access_key_id &&
      fields.eventSource === row.event_source;
    if (!columnsMatch) return false;
    const key = (r: { type: string; name: string }) => `${r.type}\u0000${r.name}`;
    const stored = this.#resourcesOf.all(row.event_id).map(key).sort();
    const expected = fields.resources.map(key).sort();
    return stored.length === expected.length && stored.every((k, i) => k === expected[i]);
  }
}

function prepareLookups(db: Database.Database): Map<LookupShape, Database.Statement<[LookupParams], EventRow>> {
  const bounds = (alias: string) =>
    `${alias}.event_time_ms BETWEEN @start AND @end AND (${alias}.event_time_ms, ${alias}.seq) < (@cursorTime, @cursorSeq)`;
  const onEvents = (filter: string) => `
    SELECT ${EVENT_COLUMNS} FROM events e
    WHERE ${filter} AND ${bounds('e')}
    ORDER BY e.event_time_ms DESC, e.seq DESC
    LIMIT @limit`;
  // One event can name several resources of one type; pick distinct events from the index first.
  const onResources = (column: string) => `
    SELECT ${EVENT_COLUMNS} FROM (
      SELECT DISTINCT r.event_time_ms, r.seq FROM resources r
      WHERE r.${column} = @value AND ${bounds('r')}
      ORDER BY r.event_time_ms DESC, r.seq DESC
      LIMIT @limit
    ) k JOIN events e ON e.seq = k.seq
    ORDER BY k.event_time_ms DESC, k.seq DESC`;

  const lookups = new Map<LookupShape, Database.Statement<[LookupParams], EventRow>>();
  // `@value IS NULL` keeps the parameter in the statement, so every shape binds the same names.
  lookups.set('none', db.prepare<[LookupParams], EventRow>(onEvents('@value IS NULL')));
  for (const [key, column] of Object.entries(EVENT_COLUMN_FOR)) {
    lookups.set(key as LookupAttributeKey, db.prepare<[LookupParams], EventRow>(onEvents(`e.${column} = @value`)));
  }
  for (const [key, column] of Object.entries(RESOURCE_COLUMN_FOR)) {
    lookups.set(key as LookupAttributeKey, db.prepare<[LookupParams], EventRow>(onResources(column)));
  }
  return lookups;
}

function toLookupEvent(row: EventRow): LookupEventsResponse['Events'][number] {
  const record = JSON.parse(row.record_json) as AuditRecord;
  const event: LookupEventsResponse['Events'][number] = {
    EventId: row.event_id,
    EventName: row.event_name,
    ReadOnly: row.read_only === 1 ? 'true' : 'false',
    EventTime: row.event_time_ms / 1000,
    EventSource: row.event_source,
    Resources: record.resources.map((r) => ({ ResourceType: r.type, ResourceName: r.name })),
    CloudTrailEvent: row.record_json,
  };
  if (row.access_key_id !== null) event.AccessKeyId = row.access_key_id;
  if (row.username !== null) event.Username = row.username;
  return event;
}
