import type { Cloud, StorageCredentialRef, StorageLocation, VendedCredential } from '@lakegate/contracts';

/** What a cloud adapter is asked to issue: one exact scope, for one principal, for a bounded time. */
export interface MintInput {
  readonly requestId: string;
  /** The lakegate principal the credential is issued for (session name, source identity, tags). */
  readonly principal: string;
  /** Normalised locations with their access; the credential must reach exactly these. */
  readonly locations: readonly StorageLocation[];
  readonly storageCredential: StorageCredentialRef;
  /** Already clamped to the adapter's limits. */
  readonly durationSeconds: number;
}

export interface MintResult {
  readonly credential: VendedCredential;
  /** The cloud's request id for the upstream call, recorded in the audit event. */
  readonly upstreamRequestId?: string;
}

/** What a cloud can do; used to clamp durations and describe the minter. */
export interface MinterCapabilities {
  readonly cloud: Cloud;
  readonly minDurationSeconds: number;
  readonly maxDurationSeconds: number;
  readonly defaultDurationSeconds: number;
  /** Whether an issued credential can be revoked before it expires. */
  readonly revocable: boolean;
}

/**
 * The port every cloud adapter implements. The adapter holds the cloud SDK; nothing else does.
 * It throws `LakegateError` with UPSTREAM_DENIED, UPSTREAM_UNAVAILABLE, INVALID_ARGUMENT or
 * FAILED_PRECONDITION, never a raw SDK error.
 */
export interface CredentialMinter {
  readonly capabilities: MinterCapabilities;
  mint(input: MintInput): Promise<MintResult>;
}
