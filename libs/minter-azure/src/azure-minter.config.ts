import { LakegateError } from '@lakegate/contracts';

/**
 * SAS durations lakegate vends, in seconds. Azure sets no lower bound; below a minute the credential
 * would be spent on clock skew between lakegate, the client and the storage service.
 */
export const AZURE_SAS_LIMITS = { minDurationSeconds: 60, defaultDurationSeconds: 3_600, defaultMaxDurationSeconds: 43_200 } as const;

/**
 * User delegation keys: Azure accepts an expiry at most 7 days after the service's current time.
 * lakegate backdates the key's start and shortens its expiry by `clockSkewSeconds`, so a lakegate
 * clock that runs up to 5 minutes ahead of or behind the service is tolerated; a key is therefore
 * usable for `usableSeconds` after it is fetched, and no SAS can live longer than that.
 */
export const USER_DELEGATION_KEY_LIMITS = { maxLifetimeSeconds: 604_800, clockSkewSeconds: 300, usableSeconds: 604_500 } as const;

/**
 * The SAS version lakegate signs with. Pinned (not the SDK's newest default) so the string-to-sign
 * stays the same across SDK upgrades; 2025-11-05 is understood by Azure and by Azurite 3.35.
 */
export const DEFAULT_SAS_VERSION = '2025-11-05';
/** Directory SAS (`sr=d`, `sdd`) and the user delegation string-to-sign lakegate relies on need this version or later. */
export const MIN_SAS_VERSION = '2020-02-10';

/** The Azure public cloud's blob endpoint; `{account}` is replaced by the storage account name. */
export const DEFAULT_BLOB_ENDPOINT = 'https://{account}.blob.core.windows.net';
const ACCOUNT_PLACEHOLDER = '{account}';

/** Options shared by identities that talk to an Entra ID authority directly. */
interface AuthorityOptions {
  /** Entra ID authority, `https://login.microsoftonline.com` by default (sovereign clouds, or a local stand-in in tests). */
  readonly authorityHost?: string;
  /**
   * Skips instance discovery and authority validation. Needed for an authority Microsoft does not
   * know (Azure Stack, a local stand-in); only set it for an authority you trust.
   */
  readonly disableInstanceDiscovery?: boolean;
}

/** An Entra ID application authenticating with a client secret. */
export interface AzureClientSecretIdentity extends AuthorityOptions {
  readonly kind: 'client-secret';
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Workload identity federation (AKS): the projected service-account token in `tokenFilePath` is the client assertion. */
export interface AzureWorkloadIdentity extends AuthorityOptions {
  readonly kind: 'workload-identity';
  readonly tenantId: string;
  readonly clientId: string;
  readonly tokenFilePath: string;
}

/**
 * A managed identity of the host (IMDS / App Service endpoint). `clientId` names it so storage
 * credentials can refer to it; it selects a user-assigned identity unless `systemAssigned` is true
 * (then `clientId` is the system-assigned identity's client id, used for matching only).
 */
export interface AzureManagedIdentity {
  readonly kind: 'managed-identity';
  readonly clientId: string;
  readonly tenantId?: string;
  readonly systemAssigned?: boolean;
}

/**
 * `DefaultAzureCredential` (environment, workload identity, managed identity, developer tools).
 * `clientId` is the application the chain is expected to resolve to; it is passed on as the managed
 * and workload identity client id. The chain may still pick an environment credential for another
 * application: prefer an explicit kind in production.
 */
export interface AzureDefaultChainIdentity extends AuthorityOptions {
  readonly kind: 'default';
  readonly clientId: string;
  readonly tenantId?: string;
}

/** One identity lakegate can act as towards Azure Storage. */
export type AzureSourceIdentity = AzureClientSecretIdentity | AzureWorkloadIdentity | AzureManagedIdentity | AzureDefaultChainIdentity;
export type AzureSourceIdentityKind = AzureSourceIdentity['kind'];
export const AZURE_SOURCE_IDENTITY_KINDS = ['client-secret', 'workload-identity', 'managed-identity', 'default'] as const satisfies readonly AzureSourceIdentityKind[];

/** The blob service endpoint of an account: a template containing `{account}`, or a function. */
export type BlobEndpoint = string | ((accountName: string) => string);

/** What the app passes to {@link AzureMinter}; validated once by {@link resolveAzureMinterConfig}. */
export interface AzureMinterOptions {
  /**
   * The identities lakegate holds. A storage credential's `azure.clientId` (and `tenantId`) must name
   * one of them; that identity requests the user delegation key, so the SAS carries its rights.
   */
  readonly identities: readonly AzureSourceIdentity[];
  /**
   * Blob endpoint per account; default `https://{account}.blob.core.windows.net`. Azurite (path style):
   * `https://127.0.0.1:10000/{account}`. Must be https: bearer tokens are never sent in clear.
   */
  readonly blobEndpoint?: BlobEndpoint;
  /** SAS version (`sv`); default {@link DEFAULT_SAS_VERSION}. */
  readonly sasVersion?: string;
  /** Longest SAS lakegate vends; default 43200 (12 h), at most {@link USER_DELEGATION_KEY_LIMITS}.usableSeconds. */
  readonly maxDurationSeconds?: number;
  /**
   * A cached user delegation key is renewed once less than this much of its life remains; default
   * `maxDurationSeconds` (capped so a key is used for at least an hour), so a SAS is not cut short by
   * its key. A SAS never outlives the key that signed it.
   */
  readonly keyRenewalMarginSeconds?: number;
  /** Extra PEM CA certificates trusted (besides the system roots) for the authority and storage endpoints. */
  readonly caCertificates?: readonly string[];
  /** Bound on one HTTP request to Entra ID or Azure Storage; default 5000 ms. */
  readonly requestTimeoutMs?: number;
  /** Attempts per upstream call, including the first; default 3. */
  readonly maxAttempts?: number;
  /** Epoch-millisecond clock, for tests; default `Date.now`. */
  readonly clock?: () => number;
}

/** Options after validation, with defaults applied. */
export interface AzureMinterConfig {
  readonly identities: readonly AzureSourceIdentity[];
  readonly blobEndpoint: (accountName: string) => string;
  readonly sasVersion: string;
  readonly maxDurationSeconds: number;
  readonly keyRenewalMarginSeconds: number;
  readonly caCertificates: readonly string[];
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
  readonly clock: () => number;
}

/** Storage account names: 3–24 lower-case letters and digits. */
export const AZURE_ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
// A GUID or a verified domain, as @azure/identity accepts tenant ids.
const TENANT_ID = /^[0-9A-Za-z.-]{1,256}$/;
const SAS_VERSION = /^\d{4}-\d{2}-\d{2}$/;
const MIN_KEY_REUSE_SECONDS = 3_600;

/** Validates options and applies defaults; every problem is listed in one error. */
export function resolveAzureMinterConfig(options: AzureMinterOptions): AzureMinterConfig {
  const problems: string[] = [];
  const identities = Array.isArray(options.identities) ? options.identities : [];
  if (identities.length === 0) problems.push('identities must list at least one identity');
  const seen = new Set<string>();
  identities.forEach((identity, i) => {
    const where = `identities[${i}]`;
    const invalid = identityProblems(identity, where);
    problems.push(...invalid);
    if (invalid.length > 0) return;
    const key = `${identity.tenantId?.toLowerCase() ?? '*'}/${identity.clientId.toLowerCase()}`;
    if (seen.has(key)) problems.push(`${where}: client id '${identity.clientId}' is configured twice`);
    seen.add(key);
  });

  let blobEndpoint: ((accountName: string) => string) | undefined;
  const endpoint = options.blobEndpoint ?? DEFAULT_BLOB_ENDPOINT;
  if (typeof endpoint === 'function') blobEndpoint = endpoint;
  else if (typeof endpoint !== 'string' || !endpoint.includes(ACCOUNT_PLACEHOLDER)) {
    problems.push(`blobEndpoint must be a function or a URL template containing '${ACCOUNT_PLACEHOLDER}', got '${String(endpoint)}'`);
  } else {
    const why = httpsUrlProblem(endpoint.replaceAll(ACCOUNT_PLACEHOLDER, 'account'));
    if (why) problems.push(`blobEndpoint '${endpoint}' ${why}`);
    else blobEndpoint = (accountName) => endpoint.replaceAll(ACCOUNT_PLACEHOLDER, accountName);
  }

  const sasVersion = options.sasVersion ?? DEFAULT_SAS_VERSION;
  if (typeof sasVersion !== 'string' || !SAS_VERSION.test(sasVersion) || sasVersion < MIN_SAS_VERSION) {
    problems.push(`sasVersion must be a storage service version (YYYY-MM-DD) of ${MIN_SAS_VERSION} or later, got '${String(sasVersion)}'`);
  }
  const { usableSeconds } = USER_DELEGATION_KEY_LIMITS;
  const maxDurationSeconds = options.maxDurationSeconds ?? AZURE_SAS_LIMITS.defaultMaxDurationSeconds;
  if (!Number.isInteger(maxDurationSeconds) || maxDurationSeconds < AZURE_SAS_LIMITS.minDurationSeconds || maxDurationSeconds > usableSeconds) {
    problems.push(`maxDurationSeconds must be an integer from ${AZURE_SAS_LIMITS.minDurationSeconds} to ${usableSeconds} (a user delegation key's life), got ${String(maxDurationSeconds)}`);
  }
  const marginLimit = usableSeconds - MIN_KEY_REUSE_SECONDS;
  const keyRenewalMarginSeconds = options.keyRenewalMarginSeconds ?? Math.min(Number.isInteger(maxDurationSeconds) ? maxDurationSeconds : 0, marginLimit);
  if (!Number.isInteger(keyRenewalMarginSeconds) || keyRenewalMarginSeconds < 0 || keyRenewalMarginSeconds > marginLimit) {
    problems.push(`keyRenewalMarginSeconds must be an integer from 0 to ${marginLimit}, got ${String(keyRenewalMarginSeconds)}`);
  }
  const caCertificates = options.caCertificates ?? [];
  if (!Array.isArray(caCertificates) || caCertificates.some((pem) => typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----'))) {
    problems.push('caCertificates must be PEM certificates');
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs <= 0) problems.push('requestTimeoutMs must be a positive integer');
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) problems.push('maxAttempts must be an integer from 1 to 10');
  if (options.clock !== undefined && typeof options.clock !== 'function') problems.push('clock must be a function');

  if (problems.length > 0 || blobEndpoint === undefined) {
    throw new LakegateError('INVALID_ARGUMENT', `Invalid Azure minter configuration: ${problems.join('; ')}.`, { details: { problems } });
  }
  return {
    identities,
    blobEndpoint,
    sasVersion,
    maxDurationSeconds,
    keyRenewalMarginSeconds,
    caCertificates,
    requestTimeoutMs,
    maxAttempts,
    clock: options.clock ?? Date.now,
  };
}

/**
 * The configured identity a storage credential names: same client id, and same tenant when the
 * identity declares one (ids compare case-insensitively). Undefined when none matches.
 */
export function findIdentity(identities: readonly AzureSourceIdentity[], ref: { readonly tenantId: string; readonly clientId: string }): AzureSourceIdentity | undefined {
  const clientId = ref.clientId.toLowerCase();
  const tenantId = ref.tenantId.toLowerCase();
  return identities.find((i) => i.clientId.toLowerCase() === clientId && (i.tenantId === undefined || i.tenantId.toLowerCase() === tenantId));
}

function identityProblems(identity: AzureSourceIdentity | undefined, where: string): string[] {
  if (typeof identity !== 'object' || identity === null) return [`${where} must be an object`];
  const kind: unknown = identity.kind;
  if (!(AZURE_SOURCE_IDENTITY_KINDS as readonly unknown[]).includes(kind)) {
    return [`${where}: kind '${String(kind)}' is not one of ${AZURE_SOURCE_IDENTITY_KINDS.join(', ')}`];
  }
  const problems: string[] = [];
  const blank = (value: unknown) => typeof value !== 'string' || value.trim() === '';
  if (blank(identity.clientId)) problems.push(`${where} (${identity.kind}): clientId is required, so storage credentials can name this identity`);
  const tenantRequired = identity.kind === 'client-secret' || identity.kind === 'workload-identity';
  if (identity.tenantId === undefined ? tenantRequired : typeof identity.tenantId !== 'string' || !TENANT_ID.test(identity.tenantId)) {
    problems.push(`${where} (${identity.kind}): tenantId ${identity.tenantId === undefined ? 'is required' : 'must be a GUID or a domain name'}`);
  }
  if (identity.kind === 'client-secret' && blank(identity.clientSecret)) problems.push(`${where} (client-secret): clientSecret is required`);
  if (identity.kind === 'workload-identity' && blank(identity.tokenFilePath)) problems.push(`${where} (workload-identity): tokenFilePath is required`);
  if (identity.kind !== 'managed-identity' && identity.authorityHost !== undefined) {
    const why = httpsUrlProblem(identity.authorityHost);
    if (why) problems.push(`${where} (${identity.kind}): authorityHost '${String(identity.authorityHost)}' ${why}`);
  }
  return problems;
}

function httpsUrlProblem(value: unknown): string | undefined {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:') return 'must be https';
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') return 'must not carry credentials, a query or a fragment';
  return undefined;
}
