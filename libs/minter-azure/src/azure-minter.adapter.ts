import { rootCertificates } from 'node:tls';
import {
  ClientSecretCredential,
  DefaultAzureCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
  type AccessToken,
  type TokenCredential,
  type TokenCredentialOptions,
} from '@azure/identity';
import { BlobServiceClient, type StoragePipelineOptions } from '@azure/storage-blob';
import { DirectorySASPermissions, FileSystemSASPermissions, generateDataLakeSASQueryParameters, SASProtocol, type DataLakeSASSignatureValues } from '@azure/storage-file-datalake';
import { LakegateError } from '@lakegate/contracts';
import type { CredentialMinter, MintInput, MintResult, MinterCapabilities } from '@lakegate/minter-core';
import {
  AZURE_ACCOUNT_NAME,
  AZURE_SAS_LIMITS,
  findIdentity,
  resolveAzureMinterConfig,
  USER_DELEGATION_KEY_LIMITS,
  type AzureMinterConfig,
  type AzureMinterOptions,
  type AzureSourceIdentity,
} from './azure-minter.config.js';
import { DelegationKeyCache, type DelegationKey, type DelegationKeyCacheStats, type FetchedKey } from './delegation-key-cache.js';
import { planSasScope, sasExpiry, type SasScope } from './sas-scope.js';

/** The OAuth scope of Azure Storage: tokens for it carry `aud` `https://storage.azure.com`. */
export const AZURE_STORAGE_SCOPE = 'https://storage.azure.com/.default';

/**
 * Mints Azure user delegation SAS tokens: the identity named by the storage credential (one of the
 * configured identities) gets a user delegation key for the account, cached per identity and account
 * and renewed before it expires; the SAS is signed locally with it and reaches exactly the planned
 * scope ({@link planSasScope}). The identity needs a role that allows
 * `Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey` (e.g. Storage Blob
 * Delegator) plus the data rights the SAS passes on: a SAS never grants more than its identity has.
 * A SAS does not name the lakegate principal (storage logs show the identity's object id, `skoid`);
 * the audit record links the two.
 *
 * `capabilities.revocable` is false: one SAS cannot be revoked. Revoking the account's user
 * delegation keys (`Revoke-AzStorageAccountUserDelegationKeys` / `az storage account revoke-delegation-keys`)
 * or removing the identity's role revokes every SAS they signed, across all principals; call
 * {@link AzureMinter.destroy} (or restart) afterwards so lakegate fetches a new key.
 */
export class AzureMinter implements CredentialMinter {
  readonly capabilities: MinterCapabilities;
  // Private: the identities may hold client secrets, the cache holds signing keys.
  readonly #config: AzureMinterConfig;
  readonly #credentials: Map<AzureSourceIdentity, TokenCredential>;
  readonly #keys: DelegationKeyCache;
  readonly #storageOptions: StoragePipelineOptions;

  constructor(options: AzureMinterOptions) {
    this.#config = resolveAzureMinterConfig(options);
    const { maxDurationSeconds, caCertificates, maxAttempts, requestTimeoutMs } = this.#config;
    this.capabilities = {
      cloud: 'azure',
      minDurationSeconds: AZURE_SAS_LIMITS.minDurationSeconds,
      maxDurationSeconds,
      defaultDurationSeconds: Math.min(AZURE_SAS_LIMITS.defaultDurationSeconds, maxDurationSeconds),
      revocable: false,
    };
    // tlsOptions.ca replaces the default roots, so the bundled ones are listed again.
    const tlsOptions = caCertificates.length === 0 ? undefined : { ca: [...rootCertificates, ...caCertificates] };
    const identityOptions: TokenCredentialOptions = { retryOptions: { maxRetries: maxAttempts - 1 }, ...(tlsOptions ? { tlsOptions } : {}) };
    this.#credentials = new Map(this.#config.identities.map((identity) => [identity, createCredential(identity, identityOptions)]));
    // The storage SDK hands every pipeline option to core-rest-pipeline, which applies tlsOptions; its own type does not list it.
    const storageOptions: StoragePipelineOptions & { tlsOptions?: typeof tlsOptions } = {
      retryOptions: { maxTries: maxAttempts, tryTimeoutInMs: requestTimeoutMs, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 },
      ...(tlsOptions ? { tlsOptions } : {}),
    };
    this.#storageOptions = storageOptions;
    this.#keys = new DelegationKeyCache({ renewalMarginMs: this.#config.keyRenewalMarginSeconds * 1000, clock: this.#config.clock });
  }

  /** Key requests sent and answered from the cache. */
  get keyCacheStats(): Readonly<DelegationKeyCacheStats> {
    return { ...this.#keys.stats };
  }

  /**
   * `upstreamRequestId` is the storage service's id of the request that fetched the signing key (the
   * SAS itself is signed locally, so a mint served from a cached key repeats that id).
   */
  async mint(input: MintInput): Promise<MintResult> {
    const ref = input.storageCredential.azure;
    const name = input.storageCredential.name;
    if (!ref) throw new LakegateError('FAILED_PRECONDITION', `Storage credential '${name}' has no Azure identity and account.`);
    if (!AZURE_ACCOUNT_NAME.test(ref.accountName)) {
      throw new LakegateError('FAILED_PRECONDITION', `Storage credential '${name}' names '${ref.accountName}', which is not a storage account name.`);
    }
    const identity = findIdentity(this.#config.identities, ref);
    if (!identity) {
      throw new LakegateError(
        'FAILED_PRECONDITION',
        `Storage credential '${name}' names Azure identity '${ref.clientId}' in tenant '${ref.tenantId}', which lakegate is not configured to act as.`,
        { details: { clientId: ref.clientId, tenantId: ref.tenantId } },
      );
    }
    const scope = planSasScope(input.locations, ref);
    const endpoint = this.#endpoint(ref.accountName);
    const cacheKey = `${this.#config.identities.indexOf(identity)}|${ref.accountName}|${endpoint}`;
    const { key, requestId } = await this.#keys.get(cacheKey, () => this.#fetchKey(identity, ref.accountName, endpoint));
    if (isGuid(ref.tenantId) && key.signedTenantId.toLowerCase() !== ref.tenantId.toLowerCase()) {
      throw new LakegateError(
        'FAILED_PRECONDITION',
        `Azure identity '${identity.clientId}' signed in to tenant '${key.signedTenantId}', but storage credential '${name}' expects tenant '${ref.tenantId}'.`,
      );
    }

    const now = this.#config.clock();
    const expiresAt = sasExpiry(now, this.clampDuration(input.durationSeconds), key.signedExpiresOn.getTime());
    if (expiresAt <= now) {
      throw new LakegateError('UPSTREAM_UNAVAILABLE', `The user delegation key for account '${ref.accountName}' has expired; retry to fetch a new one.`);
    }
    const sasToken = signUserDelegationSas(scope, key, { expiresOn: new Date(expiresAt), version: this.#config.sasVersion });
    return {
      credential: { cloud: 'azure', azure: { sasToken, accountHost: scope.accountHost }, expiresAt },
      ...(requestId === undefined ? {} : { upstreamRequestId: requestId }),
    };
  }

  /** The SAS life asked of Azure: within lakegate's limits (the key's expiry may shorten it further). */
  clampDuration(requestedSeconds: number): number {
    const { minDurationSeconds: min, maxDurationSeconds: max, defaultDurationSeconds } = this.capabilities;
    const seconds = Number.isFinite(requestedSeconds) ? Math.floor(requestedSeconds) : defaultDurationSeconds;
    return Math.min(max, Math.max(min, seconds));
  }

  /** Forgets every cached user delegation key (after a key revocation, or at shutdown). */
  destroy(): void {
    this.#keys.clear();
  }

  #endpoint(accountName: string): string {
    const endpoint = this.#config.blobEndpoint(accountName);
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'https:') {
      throw new LakegateError('FAILED_PRECONDITION', `The blob endpoint configured for account '${accountName}' is not an https URL.`);
    }
    return endpoint;
  }

  async #fetchKey(identity: AzureSourceIdentity, accountName: string, endpoint: string): Promise<FetchedKey> {
    const credential = this.#credentials.get(identity);
    if (!credential) throw new LakegateError('INTERNAL', `No credential was built for Azure identity ${describeIdentity(identity)}.`);
    // One deadline for the whole fetch: every attempt of the token and the key request.
    const abortSignal = AbortSignal.timeout(this.#config.requestTimeoutMs * this.#config.maxAttempts * 2);
    let token: AccessToken | null;
    try {
      token = await credential.getToken(AZURE_STORAGE_SCOPE, { abortSignal });
    } catch (error) {
      throw mapIdentityError(error, identity);
    }
    if (!token?.token) {
      throw new LakegateError('UPSTREAM_DENIED', `Microsoft Entra ID issued no token for Azure identity ${describeIdentity(identity)}.`);
    }
    // The token is fetched above rather than by the storage pipeline so identity failures keep their own errors.
    const issued = token;
    const client = new BlobServiceClient(endpoint, { getToken: async () => issued }, this.#storageOptions);
    const now = this.#config.clock();
    const { clockSkewSeconds, maxLifetimeSeconds } = USER_DELEGATION_KEY_LIMITS;
    const startsOn = new Date(now - clockSkewSeconds * 1000);
    const expiresOn = new Date(now + (maxLifetimeSeconds - clockSkewSeconds) * 1000);
    let response: Awaited<ReturnType<BlobServiceClient['getUserDelegationKey']>>;
    try {
      response = await client.getUserDelegationKey(startsOn, expiresOn, { abortSignal });
    } catch (error) {
      throw mapStorageError(error, identity, accountName);
    }
    const { signedObjectId, signedTenantId, signedStartsOn, signedExpiresOn, signedService, signedVersion, value } = response;
    const fields = { signedObjectId, signedTenantId, signedStartsOn, signedExpiresOn, signedService, signedVersion, value };
    const missing = Object.entries(fields)
      .filter(([, v]) => !v || (v instanceof Date && Number.isNaN(v.getTime())))
      .map(([k]) => k);
    if (missing.length > 0 || !(signedExpiresOn instanceof Date) || signedExpiresOn.getTime() <= now) {
      throw new LakegateError(
        'UPSTREAM_UNAVAILABLE',
        `Azure Storage account '${accountName}' returned no usable user delegation key (${missing.length > 0 ? `missing ${missing.join(', ')}` : 'already expired'}).`,
        { details: { missing } },
      );
    }
    const key: DelegationKey = fields;
    return { key, ...(response.requestId ? { requestId: response.requestId } : {}) };
  }
}

/**
 * Signs a user delegation SAS for the scope: a directory SAS (`sr=d`, `sdd`) or a container SAS
 * (`sr=c`), https only (`spr=https`), no start time (valid at once, whatever the clock skew).
 * Returns the query string without a leading `?`.
 */
export function signUserDelegationSas(scope: SasScope, key: DelegationKey, options: { expiresOn: Date; version: string }): string {
  const common = { fileSystemName: scope.container, expiresOn: options.expiresOn, protocol: SASProtocol.Https, version: options.version };
  const values: DataLakeSASSignatureValues =
    scope.resource === 'd'
      ? { ...common, pathName: scope.directory, isDirectory: true, directoryDepth: scope.directoryDepth, permissions: DirectorySASPermissions.parse(scope.permissions) }
      : { ...common, permissions: FileSystemSASPermissions.parse(scope.permissions) };
  return generateDataLakeSASQueryParameters(values, key, scope.accountName).toString();
}

function createCredential(identity: AzureSourceIdentity, options: TokenCredentialOptions): TokenCredential {
  const authority = (i: { authorityHost?: string; disableInstanceDiscovery?: boolean }) => ({
    ...(i.authorityHost === undefined ? {} : { authorityHost: i.authorityHost }),
    ...(i.disableInstanceDiscovery === undefined ? {} : { disableInstanceDiscovery: i.disableInstanceDiscovery }),
  });
  switch (identity.kind) {
    case 'client-secret':
      return new ClientSecretCredential(identity.tenantId, identity.clientId, identity.clientSecret, { ...options, ...authority(identity) });
    case 'workload-identity':
      return new WorkloadIdentityCredential({ ...options, ...authority(identity), tenantId: identity.tenantId, clientId: identity.clientId, tokenFilePath: identity.tokenFilePath });
    case 'managed-identity':
      return identity.systemAssigned ? new ManagedIdentityCredential(options) : new ManagedIdentityCredential({ ...options, clientId: identity.clientId });
    case 'default':
      return new DefaultAzureCredential({
        ...options,
        ...authority(identity),
        ...(identity.tenantId === undefined ? {} : { tenantId: identity.tenantId }),
        managedIdentityClientId: identity.clientId,
        workloadIdentityClientId: identity.clientId,
      });
  }
}

/** How messages name an identity: client id, tenant and kind, never a secret. */
export function describeIdentity(identity: Pick<AzureSourceIdentity, 'kind' | 'clientId' | 'tenantId'>): string {
  return `'${identity.clientId}' (${identity.tenantId === undefined ? '' : `tenant '${identity.tenantId}', `}${identity.kind})`;
}

// Codes MSAL and Entra ID use for failures worth retrying: the authority was unreachable or busy.
const OAUTH_UNAVAILABLE = new Set(['msal_throttled', 'temporarily_unavailable', 'server_error', 'network_error', 'endpoints_resolution_error', 'request_timeout', 'too_many_requests']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'REQUEST_SEND_ERROR', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);
const FILE_CODES = new Set(['ENOENT', 'EACCES', 'EISDIR', 'EPERM']);

interface AzureErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  statusCode?: unknown;
  errorResponse?: { error?: unknown };
  response?: { headers?: { get?: (name: string) => string | undefined } };
}

const shape = (error: unknown): AzureErrorShape => (typeof error === 'object' && error !== null ? (error as AzureErrorShape) : {});

/**
 * Maps a failure to get a token from Microsoft Entra ID to a catalog error. `@azure/identity` keeps
 * only MSAL's message (it starts with the OAuth error code, e.g. `invalid_client: …`), so the code is
 * read from there; the message of the result names the identity and the codes, never the SDK's text.
 */
export function mapIdentityError(error: unknown, identity: Pick<AzureSourceIdentity, 'kind' | 'clientId' | 'tenantId'>): LakegateError {
  if (error instanceof LakegateError) return error;
  const e = shape(error);
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const message = typeof e.message === 'string' ? e.message : '';
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  // After a 429 or 5xx MSAL refuses further requests of that client until Retry-After (60 s by
  // default) has passed, replaying the error with only its numeric codes: `50196: …` or `: …`.
  const throttled = name === 'AuthenticationRequiredError' && /^[\d ]*: /.test(message);
  const oauthCode = throttled
    ? 'msal_throttled'
    : ((typeof e.errorResponse?.error === 'string' ? e.errorResponse.error : undefined) ?? /^([a-z_]+|E[A-Z_]+):/.exec(message)?.[1] ?? (typeof e.code === 'string' ? e.code : undefined));
  const aadsts = /AADSTS(\d+)/.exec(message)?.[0];
  const who = describeIdentity(identity);
  const label = [oauthCode ?? name, aadsts].filter(Boolean).join(', ');
  const options = {
    details: { azureErrorCode: oauthCode ?? name, ...(aadsts ? { aadsts } : {}), ...(status === undefined ? {} : { httpStatus: status }), clientId: identity.clientId },
    cause: error,
  };

  if (name === 'AbortError' || name === 'TimeoutError') {
    return new LakegateError('UPSTREAM_UNAVAILABLE', `Microsoft Entra ID did not answer in time for Azure identity ${who}; retry later.`, options);
  }
  if ((oauthCode !== undefined && (OAUTH_UNAVAILABLE.has(oauthCode) || NETWORK_CODES.has(oauthCode))) || (status !== undefined && (status >= 500 || status === 429))) {
    return new LakegateError('UPSTREAM_UNAVAILABLE', `Microsoft Entra ID is unavailable for Azure identity ${who} (${label}); retry later.`, options);
  }
  if (oauthCode !== undefined && FILE_CODES.has(oauthCode)) {
    return new LakegateError('FAILED_PRECONDITION', `Azure identity ${who} cannot read its token file (${oauthCode}).`, options);
  }
  if (name === 'CredentialUnavailableError' || name === 'AggregateAuthenticationError') {
    return new LakegateError('FAILED_PRECONDITION', `Azure identity ${who} is not available on this host (${label}).`, options);
  }
  // invalid_client, unauthorized_client, invalid_grant, invalid_scope…: the identity, its secret or its federation is wrong.
  return new LakegateError('UPSTREAM_DENIED', `Microsoft Entra ID refused a token to Azure identity ${who} (${label}).`, options);
}

/**
 * Maps a failed user delegation key request (or its transport) to a catalog error: no answer, 5xx,
 * 408 and 429 are UPSTREAM_UNAVAILABLE; 401, 403 and other refusals are UPSTREAM_DENIED naming the
 * identity and the storage error code.
 */
export function mapStorageError(error: unknown, identity: Pick<AzureSourceIdentity, 'kind' | 'clientId' | 'tenantId'>, accountName: string): LakegateError {
  if (error instanceof LakegateError) return error;
  const e = shape(error);
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const code = typeof e.code === 'string' ? e.code : name;
  let upstreamRequestId: string | undefined;
  try {
    upstreamRequestId = e.response?.headers?.get?.('x-ms-request-id');
  } catch {
    upstreamRequestId = undefined;
  }
  const who = describeIdentity(identity);
  const options = {
    details: { azureErrorCode: code, ...(status === undefined ? {} : { httpStatus: status }), ...(upstreamRequestId ? { upstreamRequestId } : {}), accountName, clientId: identity.clientId },
    cause: error,
  };
  if (status === undefined || status >= 500 || status === 408 || status === 429) {
    // No status: the request got no answer (connection, DNS, TLS, timeout).
    return new LakegateError('UPSTREAM_UNAVAILABLE', `Azure Storage account '${accountName}' is unavailable (${code}); retry later.`, options);
  }
  const hint =
    code === 'AuthorizationPermissionMismatch' || code === 'AuthorizationFailure'
      ? ' The identity needs a role that allows generateUserDelegationKey on the account, such as Storage Blob Delegator.'
      : '';
  return new LakegateError('UPSTREAM_DENIED', `Azure Storage account '${accountName}' refused a user delegation key to Azure identity ${who} (${code}, HTTP ${status}).${hint}`, options);
}

const isGuid = (value: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
