import { CODECS, LakegateError, STREAMS, SUBJECTS, type AuditRecord, type AuditStage } from '@lakegate/contracts';
import { ensureStream, jetstream, publishDurable, type JetStreamClient, type NatsConnection } from '@lakegate/platform-nats';

export interface AuditStreamSettings {
  /** How long records stay in the stream (the index store keeps them after). */
  maxAgeDays: number;
  /** Window in which a re-published record (same eventID) is dropped as a duplicate. */
  duplicateWindowMs?: number;
}

const NANOS_PER_MS = 1_000_000;

/** Creates or updates the audit stream: file storage, every stage's subject, de-duplication by eventID. */
export async function ensureAuditStream(nc: NatsConnection, settings: AuditStreamSettings): Promise<void> {
  await ensureStream(nc, {
    name: STREAMS.audit,
    subjects: [SUBJECTS.auditRecordAll],
    storage: 'file' as never,
    max_age: settings.maxAgeDays * 24 * 3600 * 1000 * NANOS_PER_MS,
    duplicate_window: (settings.duplicateWindowMs ?? 120_000) * NANOS_PER_MS,
  });
}

/**
 * Writes audit records to the stream and waits for the server's ack. A record that is not
 * acknowledged is an AUDIT_UNAVAILABLE error: the caller must then not return a credential.
 */
export class AuditPublisher {
  private readonly js: JetStreamClient;

  constructor(
    nc: NatsConnection,
    private readonly stage: AuditStage,
    private readonly timeoutMs = 5_000,
  ) {
    this.js = jetstream(nc);
  }

  async publish(record: AuditRecord): Promise<void> {
    try {
      await publishDurable(this.js, SUBJECTS.auditRecord(this.stage), CODECS.auditRecord.encode(record), {
        msgId: record.eventID,
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      throw new LakegateError('AUDIT_UNAVAILABLE', undefined, { cause: error });
    }
  }
}
