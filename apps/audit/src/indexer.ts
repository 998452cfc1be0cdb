import { CODECS, CONSUMERS, STREAMS } from '@lakegate/contracts';
import type { AuditStore } from '@lakegate/audit-store';
import { jetstream, jetstreamManager, type NatsConnection } from '@lakegate/platform-nats';
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
  const done = (async () => {
    for await (const m of messages) {
      let record;
      try {
        record = CODECS.auditRecord.decode(m.data);
      } catch (error) {
        logger.error({ seq: m.seq, err: error }, 'an audit message does not decode; it is kept in the stream and skipped');
        m.term();
        continue;
      }
      try {
        const result = store.append(record, { streamSeq: m.seq });
        m.ack();
        logger.debug({ seq: m.seq, eventID: record.eventID, result }, 'audit record indexed');
      } catch (error) {
        logger.error({ seq: m.seq, err: error }, 'could not index an audit record; it will be redelivered');
        m.nak(1_000);
      }
    }
  })();
  return {
    async stop() {
      messages.stop();
      await done.catch(() => undefined);
    },
  };
}
