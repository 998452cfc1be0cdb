import { CODECS, CONSUMERS, STREAMS } from '@lakegate/contracts';
import type { AuditStore } from '@lakegate/audit-store';
import { jetstream, jetstreamManager, type NatsConnection } from '@lakegate/platform-nats';
import type { JsMsg } from '@nats-io/jetstream';
import type { AuditRecord } from '@lakegate/contracts';
import type { Logger } from '@lakegate/telemetry';

/**
 * Copies the audit stream into the index store through a durable consumer with explicit acks:
 * a record is acknowledged only once it is stored, so a crash loses nothing (the stream
 * redelivers, and the store drops the duplicate by eventID).
 */
export async function startIndexer(nc: NatsConnection, store: AuditStore, logger: Logger): Promise<{ stop(): Promise<void> }> {
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(STREAMS.audit, {
    durable_name: CONSUMERS.auditIndexer,
    ack_policy: 'explicit' as never,
    deliver_policy: 'all' as never,
    max_deliver: -1,
    ack_wait: 30_000_000_000,
  });
  const consumer = await jetstream(nc).consumers.get(STREAMS.audit, CONSUMERS.auditIndexer);
  const messages = await consumer.consume({ max_messages: 256 });
  // Records are stored in batches, one transaction each: as many as the stream has ready (up to
  // 256), flushed as soon as nothing more is pending. Acks follow the commit.
  const batch: { m: JsMsg; record: AuditRecord }[] = [];
  const flush = () => {
    if (batch.length === 0) return;
    const items = batch.splice(0);
    try {
      store.appendBatch(items.map(({ m, record }) => ({ record, meta: { streamSeq: m.seq } })));
      for (const { m } of items) m.ack();
    } catch (error) {
      logger.error({ err: error, records: items.length }, 'could not index a batch of audit records; they will be redelivered');
      for (const { m } of items) m.nak(1_000);
    }
  };
  const done = (async () => {
    for await (const m of messages) {
      try {
        batch.push({ m, record: CODECS.auditRecord.decode(m.data) });
      } catch (error) {
        logger.error({ seq: m.seq, err: error }, 'an audit message does not decode; it is kept in the stream and skipped');
        m.term();
      }
      if (batch.length >= 256 || m.info.pending === 0) flush();
    }
    flush();
  })();
  return {
    async stop() {
      messages.stop();
      await done.catch(() => undefined);
    },
  };
}
