import type { AuditRecord, LookupEventsRequest, LookupEventsResponse } from '@lakegate/contracts';

export const APPEND_RESULTS = ['inserted', 'duplicate'] as const;
/** `duplicate`: a record with the same `eventID` is already stored (the stream redelivered it); nothing was written. */
export type AppendResult = (typeof APPEND_RESULTS)[number];

/** Where a record came from on the audit stream. */
export interface AppendMeta {
  /** JetStream stream sequence of the message that carried the record. */
  readonly streamSeq: number;
}

/** Outcome of re-walking the digest chain. */
export interface ChainVerification {
  readonly ok: boolean;
  /** Rows examined, including the broken one. */
  readonly checked: number;
  /** `eventID` of the first row whose digest, link or index columns do not match its record. */
  readonly brokenAt?: string;
}

/**
 * The audit index: an append-only, tamper-evident copy of the audit stream that answers
 * CloudTrail `LookupEvents` queries. Implementations throw `LakegateError` INVALID_ARGUMENT for
 * bad input (records, lookup requests, page tokens), never a bare error.
 */
export interface AuditStore {
  /** Stores a record once; a redelivered `eventID` is reported as `duplicate` and changes nothing but the stream position. */
  append(record: AuditRecord, meta: AppendMeta): AppendResult;
  /** Several records in one transaction (one durable write); results in order. All or nothing. */
  appendBatch(items: readonly { record: AuditRecord; meta: AppendMeta }[]): AppendResult[];
  /** CloudTrail `LookupEvents`: newest first, at most one lookup attribute, paged with `NextToken`. */
  lookup(req: LookupEventsRequest): LookupEventsResponse;
  /** Highest stream sequence appended so far (including duplicates); 0 when empty. */
  lastStreamSeq(): number;
  /** Recomputes the digest chain over every stored record, in insertion order. */
  verifyChain(): ChainVerification;
  close(): void;
}
