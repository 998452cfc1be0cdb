import { createHash } from 'node:crypto';
import { LakegateError } from '@lakegate/contracts';
import type { AuditRecord } from '@lakegate/contracts';

/** `prev_digest` of the first record in a store. */
export const GENESIS_DIGEST = '0'.repeat(64);

/**
 * One link of the tamper-evident chain: hex SHA-256 of the previous link's hex digest followed by
 * the record's canonical JSON (as stored). Changing, removing or reordering any stored record
 * breaks every later link.
 */
export function chainDigest(prevDigest: string, recordJson: string): string {
  return createHash('sha256').update(prevDigest, 'utf8').update(recordJson, 'utf8').digest('hex');
}

/** The columns a store indexes a record by, each derived from the record alone. */
export interface IndexFields {
  readonly eventId: string;
  readonly eventTimeMs: number;
  readonly eventName: string;
  readonly readOnly: boolean;
  readonly eventSource: string;
  /** `userIdentity.userName`, else `userIdentity.principalId`. */
  readonly username: string | null;
  /** `userIdentity.accessKeyId`, else `responseElements.accessKeyId`. */
  readonly accessKeyId: string | null;
  /** Distinct (type, name) pairs, in record order. */
  readonly resources: readonly { readonly type: string; readonly name: string }[];
}

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export function indexFieldsOf(record: AuditRecord): IndexFields {
  const eventTimeMs = Date.parse(record.eventTime);
  if (!Number.isFinite(eventTimeMs)) {
    throw new LakegateError('INVALID_ARGUMENT', `Audit record ${record.eventID} has an invalid eventTime.`);
  }
  const seen = new Set<string>();
  const resources = record.resources.filter((r) => {
    const key = `${r.type}\u0000${r.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    eventId: record.eventID,
    eventTimeMs,
    eventName: record.eventName,
    readOnly: record.readOnly,
    eventSource: record.eventSource,
    username: stringOrNull(record.userIdentity['userName']) ?? stringOrNull(record.userIdentity['principalId']),
    accessKeyId: stringOrNull(record.userIdentity['accessKeyId']) ?? stringOrNull(record.responseElements?.['accessKeyId']),
    resources: resources.map((r) => ({ type: r.type, name: r.name })),
  };
}
