import { AssumeRoleCommand, STSClient, type AssumeRoleCommandOutput } from '@aws-sdk/client-sts';
import { LakegateError } from '@lakegate/contracts';
import type { CredentialMinter, MintInput, MintResult, MinterCapabilities } from '@lakegate/minter-core';
import { partitionForRegion, partitionOfArn, resolveAwsMinterConfig, STS_DURATION_LIMITS, type AwsMinterConfig, type AwsMinterOptions } from './aws-minter.config.js';
import { roleSessionName, sessionTagValue, sourceIdentity } from './role-session-name.js';
import { buildSessionPolicy, checkSessionPolicySize } from './session-policy.js';

/** The session tag naming the lakegate principal on every session lakegate creates. */
export const PRINCIPAL_TAG_KEY = 'lakegate:principal';

/**
 * Mints AWS session credentials with STS `AssumeRole` on the storage credential's role, scoped by an
 * inline session policy to exactly the requested locations. The role's trust policy must allow
 * `sts:AssumeRole`, `sts:SetSourceIdentity` and `sts:TagSession` for lakegate's caller identity.
 */
export class AwsMinter implements CredentialMinter {
  readonly capabilities: MinterCapabilities;
  // Private: it may hold lakegate's own static credentials.
  readonly #config: AwsMinterConfig;
  readonly #client: STSClient;

  constructor(options: AwsMinterOptions) {
    this.#config = resolveAwsMinterConfig(options);
    const max = Math.min(STS_DURATION_LIMITS.max, this.#config.roleMaxSessionSeconds);
    this.capabilities = {
      cloud: 'aws',
      minDurationSeconds: STS_DURATION_LIMITS.min,
      maxDurationSeconds: max,
      defaultDurationSeconds: Math.min(STS_DURATION_LIMITS.default, max),
      revocable: false,
    };
    this.#client = new STSClient({
      region: this.#config.region,
      maxAttempts: this.#config.maxAttempts,
      requestHandler: { connectionTimeout: this.#config.requestTimeoutMs, requestTimeout: this.#config.requestTimeoutMs, throwOnRequestTimeout: true },
      ...(this.#config.endpoint === undefined ? {} : { endpoint: this.#config.endpoint }),
      ...(this.#config.credentials === undefined ? {} : { credentials: this.#config.credentials }),
    });
  }

  async mint(input: MintInput): Promise<MintResult> {
    const role = input.storageCredential.aws;
    if (!role?.roleArn) {
      throw new LakegateError('FAILED_PRECONDITION', `Storage credential '${input.storageCredential.name}' has no AWS role to assume.`);
    }
    const partition = this.#config.partition ?? partitionOfArn(role.roleArn) ?? partitionForRegion(this.#config.region);
    const policy = checkSessionPolicySize(buildSessionPolicy(input.locations, { partition, kmsKeyArns: this.#config.kmsKeyArns }));

    let output: AssumeRoleCommandOutput;
    try {
      output = await this.#client.send(
        new AssumeRoleCommand({
          RoleArn: role.roleArn,
          RoleSessionName: roleSessionName(input.principal, input.requestId),
          SourceIdentity: sourceIdentity(input.principal),
          Tags: [{ Key: PRINCIPAL_TAG_KEY, Value: sessionTagValue(input.principal) }],
          DurationSeconds: this.clampDuration(input.durationSeconds),
          Policy: policy,
          ...(role.externalId === undefined ? {} : { ExternalId: role.externalId }),
        }),
      );
    } catch (error) {
      throw mapStsError(error, role.roleArn);
    }

    const upstreamRequestId = output.$metadata.requestId;
    const c = output.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !(c.Expiration instanceof Date) || Number.isNaN(c.Expiration.getTime())) {
      // Only field names go into the message: a partial response may still hold a secret.
      const missing = (['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration'] as const).filter((k) => !c?.[k]);
      throw new LakegateError(
        'UPSTREAM_UNAVAILABLE',
        `AWS STS AssumeRole on '${role.roleArn}' returned no usable credentials (${missing.length > 0 ? `missing ${missing.join(', ')}` : 'invalid Expiration'}).`,
        { details: { missing, ...(upstreamRequestId === undefined ? {} : { upstreamRequestId }) } },
      );
    }
    return {
      credential: {
        cloud: 'aws',
        aws: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
        expiresAt: c.Expiration.getTime(),
      },
      ...(upstreamRequestId === undefined ? {} : { upstreamRequestId }),
    };
  }

  /** The duration sent to STS: within the API's limits and the role's maximum. */
  clampDuration(requestedSeconds: number): number {
    const { minDurationSeconds: min, maxDurationSeconds: max, defaultDurationSeconds } = this.capabilities;
    const seconds = Number.isFinite(requestedSeconds) ? Math.floor(requestedSeconds) : defaultDurationSeconds;
    return Math.min(max, Math.max(min, seconds));
  }

  /** Releases the SDK's sockets. */
  destroy(): void {
    this.#client.destroy();
  }
}

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'RegionDisabledException',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'RequestExpired',
  'UnrecognizedClientException',
  // Parameters lakegate built from its catalog (role ARN, external id, session name): an admin's fix, not the caller's.
  'ValidationError',
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'MissingParameter',
]);
/** The session policy, built from the requested scope, is refused: the request asked for too much. */
const INVALID = new Set(['MalformedPolicyDocument', 'MalformedPolicyDocumentException', 'PackedPolicyTooLarge', 'PackedPolicyTooLargeException']);
const UNAVAILABLE = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalError',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/**
 * Maps an STS or transport failure to a catalog error. Messages name the role and the AWS error code,
 * never STS's own message or anything from the response body; the SDK error stays as `cause`.
 */
export function mapStsError(error: unknown, roleArn: string): LakegateError {
  if (error instanceof LakegateError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const status = e.$metadata?.httpStatusCode;
  const upstreamRequestId = e.$metadata?.requestId;
  const details: Record<string, unknown> = { awsErrorCode: name, ...(status === undefined ? {} : { httpStatus: status }), ...(upstreamRequestId ? { upstreamRequestId } : {}) };
  const options = { details, cause: error };

  if (name === 'CredentialsProviderError') {
    return new LakegateError('FAILED_PRECONDITION', `lakegate has no AWS credentials to call STS for role '${roleArn}' (${name}).`, options);
  }
  if (DENIED.has(name)) {
    return new LakegateError('UPSTREAM_DENIED', `AWS STS refused to assume role '${roleArn}' (${name}).`, options);
  }
  if (INVALID.has(name)) {
    return new LakegateError('INVALID_ARGUMENT', `AWS STS rejected the AssumeRole request for role '${roleArn}' (${name}).`, options);
  }
  const networkCode = typeof e.code === 'string' && NETWORK_CODES.has(e.code) ? e.code : undefined;
  if (UNAVAILABLE.has(name) || networkCode !== undefined || (status !== undefined && status >= 500) || status === 429 || status === undefined) {
    // No HTTP status means the request never got an answer: connection, DNS, timeout or an unparseable body.
    return new LakegateError('UPSTREAM_UNAVAILABLE', `AWS STS is unavailable for role '${roleArn}' (${networkCode ?? name}); retry later.`, options);
  }
  return new LakegateError('UPSTREAM_DENIED', `AWS STS refused to assume role '${roleArn}' (${name}, HTTP ${status}).`, options);
}
