import { Kvm, type KV } from '@nats-io/kv';
import { BUCKETS, LakegateError, SUBJECTS } from '@lakegate/contracts';
import { applyCatalogEntry, emptyCatalogState, kindOfKey, type CatalogState } from '@lakegate/domain';
import { tracedHeaders, type NatsConnection } from '@lakegate/platform-nats';
import type { Logger } from '@lakegate/telemetry';

const encoder = new TextEncoder();

/** Opens (creating when missing) the catalog bucket. */
export async function openCatalogKv(nc: NatsConnection): Promise<KV> {
  return new Kvm(nc).create(BUCKETS.catalog, { history: 5 });
}

/**
 * The in-memory catalog view authz and the edge decide from. It replays the bucket once
 * (`ready` resolves when it has), then follows every change; the ordered consumer behind the
 * watch resumes after a reconnect, so the view catches up by itself.
 */
export class CatalogView {
  readonly state: CatalogState = emptyCatalogState();
  /** The highest KV revision applied: read-your-writes can wait for it. */
  revision = 0;
  private stopWatch: (() => void) | undefined;
  private readonly waiters: { revision: number; resolve: () => void }[] = [];

  private constructor(private readonly logger: Logger) {}

  static async start(nc: NatsConnection, logger: Logger): Promise<CatalogView> {
    const view = new CatalogView(logger);
    const kv = await openCatalogKv(nc);
    const initial = (await kv.status()).values;
    let initialised!: () => void;
    const ready = new Promise<void>((resolve) => (initialised = resolve));
    if (initial === 0) initialised();
    const watch = await kv.watch({ key: '>' });
    view.stopWatch = () => watch.stop();
    void (async () => {
      for await (const entry of watch) {
        const value = entry.operation === 'PUT' ? entry.value : undefined;
        if (!applyCatalogEntry(view.state, entry.key, value, entry.revision)) {
          logger.warn({ key: entry.key, kind: kindOfKey(entry.key) }, 'ignored a catalog entry that does not decode');
        }
        view.revision = Math.max(view.revision, entry.revision);
        view.release();
        if (!entry.isUpdate && entry.delta === 0) initialised();
        if (entry.isUpdate) initialised();
      }
    })().catch((error: unknown) => logger.error({ err: error }, 'catalog watch ended'));
    await ready;
    logger.info({ revision: view.revision, volumes: view.state.volumes.size }, 'catalog view ready');
    return view;
  }

  /** Resolves once the view has applied `revision` (or times out with DEADLINE_EXCEEDED). */
  async waitFor(revision: number, timeoutMs = 5_000): Promise<void> {
    if (this.revision >= revision) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new LakegateError('DEADLINE_EXCEEDED', 'The catalog view did not catch up in time.')), timeoutMs);
      this.waiters.push({ revision, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  private release(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (this.revision >= w.revision) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  close(): void {
    this.stopWatch?.();
    this.logger.debug('catalog view closed');
  }
}

/** The catalog service's writer: optimistic concurrency on the KV revision, and an event per change. */
export class CatalogWriter {
  constructor(
    private readonly nc: NatsConnection,
    private readonly kv: KV,
  ) {}

  /**
   * Writes `value` at `key`. With `expectedRevision` undefined it must not exist yet (create); with
   * a number it must still be at that revision (update). A lost race is a CONFLICT, never a lost update.
   */
  async put(key: string, value: unknown, expectedRevision: number | undefined): Promise<number> {
    const bytes = encoder.encode(JSON.stringify(value));
    let revision: number;
    try {
      revision = expectedRevision === undefined ? await this.kv.create(key, bytes) : await this.kv.update(key, bytes, expectedRevision);
    } catch (error) {
      if (isRevisionMismatch(error)) {
        throw new LakegateError(expectedRevision === undefined ? 'ALREADY_EXISTS' : 'CONFLICT', `The entry '${key}' changed concurrently.`, { cause: error });
      }
      throw error;
    }
    this.publishEvent(key, 'put', revision);
    return revision;
  }

  /** Writes without a revision check: for idempotent bootstrap and seeding only. */
  async upsert(key: string, value: unknown): Promise<number> {
    const revision = await this.kv.put(key, encoder.encode(JSON.stringify(value)));
    this.publishEvent(key, 'put', revision);
    return revision;
  }

  async remove(key: string, expectedRevision?: number): Promise<void> {
    await this.kv.delete(key, expectedRevision === undefined ? undefined : { previousSeq: expectedRevision });
    this.publishEvent(key, 'delete', undefined);
  }

  /** The bucket's latest revision: every write made so far, deletions included, is at or below it. */
  async lastRevision(): Promise<number> {
    return (await this.kv.status()).streamInfo.state.last_seq;
  }

  async get(key: string): Promise<{ value: unknown; revision: number } | undefined> {
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== 'PUT') return undefined;
    return { value: entry.json(), revision: entry.revision };
  }

  private publishEvent(key: string, change: 'put' | 'delete', revision: number | undefined): void {
    const kind = kindOfKey(key) ?? 'unknown';
    this.nc.publish(SUBJECTS.catalogEvent(kind), encoder.encode(JSON.stringify({ key, change, revision })), { headers: tracedHeaders() });
  }
}

const isRevisionMismatch = (error: unknown) => /wrong last sequence|key exists|10071/i.test(String((error as Error)?.message ?? error));
