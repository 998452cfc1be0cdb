import { LakegateError } from '@lakegate/contracts';
import type { CredentialMinter, MintInput, MintResult, MinterCapabilities } from '@lakegate/minter-core';
import { DownscopedClient, gaxios, GoogleAuth, Impersonated, JWT, PassThroughClient, type AuthClient } from 'google-auth-library';
import { buildCredentialAccessBoundary, type CredentialAccessBoundary } from './credential-access-boundary.js';
import { GCP_TOKEN_LIFETIME_LIMITS, resolveGcpMinterConfig, type GcpMinterConfig, type GcpMinterOptions } from './gcp-minter.config.js';

/** The scope of lakegate's source and impersonated tokens; the access boundary does the narrowing. */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** The Google endpoint a failure came from. */
export type GcpUpstream = 'oauth2' | 'iam' | 'sts' | 'other';

interface SourceIdentity {
  readonly client: AuthClient;
  /** The source's service-account email, when known (always for keys; for ADC only in `source` mode). */
  readonly email: string | undefined;
}

const SERVICE_ACCOUNT_EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Mints GCP downscoped OAuth tokens: lakegate's source identity impersonates the storage credential's
 * service account for the requested lifetime (or, in `source` mode, uses its own token), and
 * `DownscopedClient` exchanges that token at STS for one bounded by a Credential Access Boundary on
 * exactly the requested locations. Tokens cannot be revoked; they live as long as the token they came from.
 */
export class GcpMinter implements CredentialMinter {
  readonly capabilities: MinterCapabilities;
  // Private: it may hold lakegate's own private key.
  readonly #config: GcpMinterConfig;
  readonly #transporter: gaxios.Gaxios;
  #source: Promise<SourceIdentity> | undefined;

  constructor(options: GcpMinterOptions) {
    this.#config = resolveGcpMinterConfig(options);
    const max = this.#config.maxDurationSeconds;
    this.capabilities = {
      cloud: 'gcp',
      minDurationSeconds: GCP_TOKEN_LIFETIME_LIMITS.min,
      maxDurationSeconds: max,
      defaultDurationSeconds: Math.min(GCP_TOKEN_LIFETIME_LIMITS.default, max),
      revocable: false,
    };
    this.#transporter = googleTransport(this.#config);
    // Fail at start-up, not on the first order, if the library no longer has the seam used below.
    routeTokenExchange(
      new DownscopedClient({ authClient: new PassThroughClient(), credentialAccessBoundary: libraryBoundary(PROBE_BOUNDARY) }),
      this.#transporter,
    );
  }

  async mint(input: MintInput): Promise<MintResult> {
    const serviceAccount = input.storageCredential.gcp?.serviceAccountEmail;
    if (!serviceAccount) {
      throw new LakegateError('FAILED_PRECONDITION', `Storage credential '${input.storageCredential.name}' has no GCP service account.`);
    }
    if (!SERVICE_ACCOUNT_EMAIL.test(serviceAccount)) {
      throw new LakegateError('FAILED_PRECONDITION', `Storage credential '${input.storageCredential.name}' names '${serviceAccount}', which is not a service-account email.`);
    }
    const boundary = buildCredentialAccessBoundary(input.locations);
    const lifetimeSeconds = this.clampDuration(input.durationSeconds);

    let token: string | null | undefined;
    let expiresAt: number | null | undefined;
    try {
      const source = await this.#sourceIdentity();
      const subject = this.#config.identity === 'impersonate' ? this.#impersonate(source, serviceAccount, lifetimeSeconds) : this.#ownIdentity(source, serviceAccount, input);
      const downscoped = new DownscopedClient({ authClient: subject, credentialAccessBoundary: libraryBoundary(boundary), universeDomain: this.#config.universeDomain });
      routeTokenExchange(downscoped, this.#transporter);
      ({ token, expirationTime: expiresAt } = await downscoped.getAccessToken());
    } catch (error) {
      throw mapGcpError(error, serviceAccount);
    }

    if (typeof token !== 'string' || token === '') {
      throw new LakegateError('UPSTREAM_UNAVAILABLE', `Google STS returned no access token for service account '${serviceAccount}'.`, { details: { upstream: 'sts' } });
    }
    if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt) || expiresAt <= Date.now()) {
      throw new LakegateError('UPSTREAM_UNAVAILABLE', `Google STS returned a token without a usable expiry for service account '${serviceAccount}'.`, { details: { upstream: 'sts' } });
    }
    return { credential: { cloud: 'gcp', gcp: { oauthToken: token }, expiresAt: Math.floor(expiresAt) } };
  }

  /** The lifetime asked of IAM: within the token limits and the configured maximum. */
  clampDuration(requestedSeconds: number): number {
    const { minDurationSeconds: min, maxDurationSeconds: max, defaultDurationSeconds } = this.capabilities;
    const seconds = Number.isFinite(requestedSeconds) ? Math.floor(requestedSeconds) : defaultDurationSeconds;
    return Math.min(max, Math.max(min, seconds));
  }

  #impersonate(source: SourceIdentity, serviceAccount: string, lifetimeSeconds: number): AuthClient {
    return new Impersonated({
      sourceClient: source.client,
      targetPrincipal: serviceAccount,
      targetScopes: [CLOUD_PLATFORM_SCOPE],
      delegates: [],
      lifetime: lifetimeSeconds,
      transporter: this.#transporter,
    });
  }

  #ownIdentity(source: SourceIdentity, serviceAccount: string, input: MintInput): AuthClient {
    if (source.email === undefined || source.email.toLowerCase() !== serviceAccount.toLowerCase()) {
      throw new LakegateError(
        'FAILED_PRECONDITION',
        `Storage credential '${input.storageCredential.name}' names service account '${serviceAccount}', but lakegate's GCP identity is ` +
          `${source.email === undefined ? 'not a known service account' : `'${source.email}'`} and impersonation is off.`,
      );
    }
    return source.client;
  }

  /** Created on first use (ADC may read files or the metadata server); retried after a failure. */
  #sourceIdentity(): Promise<SourceIdentity> {
    this.#source ??= this.#createSource().catch((error: unknown) => {
      this.#source = undefined;
      throw error;
    });
    return this.#source;
  }

  async #createSource(): Promise<SourceIdentity> {
    const { source, universeDomain, identity } = this.#config;
    // In `source` mode the cached token is what gets vended, so it is renewed while it still has the minimum life left.
    const clientOptions = { transporter: this.#transporter, ...(identity === 'source' ? { eagerRefreshThresholdMillis: GCP_TOKEN_LIFETIME_LIMITS.min * 1000 } : {}) };
    if (source.kind === 'service-account-key') {
      const { key } = source;
      const client = new JWT({
        email: key.client_email,
        key: key.private_key,
        ...(key.private_key_id === undefined ? {} : { keyId: key.private_key_id }),
        scopes: [CLOUD_PLATFORM_SCOPE],
        universeDomain,
        ...clientOptions,
      });
      return { client, email: key.client_email };
    }
    const auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE], universeDomain, clientOptions });
    const client = await auth.getClient();
    const email = identity === 'source' ? (await auth.getCredentials()).client_email : undefined;
    return { client, email };
  }
}

/** Any valid boundary, for the start-up check that the token-exchange transport can be routed. */
const PROBE_BOUNDARY: CredentialAccessBoundary = {
  accessBoundary: { accessBoundaryRules: [{ availableResource: '//storage.googleapis.com/projects/_/buckets/probe', availablePermissions: ['inRole:roles/storage.objectViewer'] }] },
};

/** The library's (mutable) boundary type, copied from ours. */
function libraryBoundary(boundary: CredentialAccessBoundary) {
  return {
    accessBoundary: {
      accessBoundaryRules: boundary.accessBoundary.accessBoundaryRules.map((rule) => ({
        availableResource: rule.availableResource,
        availablePermissions: [...rule.availablePermissions],
        ...(rule.availabilityCondition === undefined ? {} : { availabilityCondition: { ...rule.availabilityCondition } }),
      })),
    },
  };
}

/**
 * One HTTP transport for every Google call: the request timeout, the attempt budget, and the endpoint
 * overrides (requests to an overridden origin go to the configured base, path and query kept).
 */
function googleTransport(config: GcpMinterConfig): gaxios.Gaxios {
  const retries = config.maxAttempts - 1;
  const transporter = new gaxios.Gaxios({
    timeout: config.requestTimeoutMs,
    retryConfig: { retry: retries, noResponseRetries: retries, statusCodesToRetry: [[429, 429], [500, 599]] },
  });
  const routes: [origin: string, base: string | undefined][] = [
    [`https://sts.${config.universeDomain}`, config.endpoints.sts],
    [`https://iamcredentials.${config.universeDomain}`, config.endpoints.iamCredentials],
    // google-auth-library posts every key's JWT grant here, whatever the universe.
    ['https://oauth2.googleapis.com', config.endpoints.oauth2],
  ];
  const overrides = new Map(routes.filter((r): r is [string, string] => r[1] !== undefined));
  if (overrides.size > 0) {
    transporter.interceptors.request.add({
      resolved: async (options) => {
        const url = new URL(options.url);
        const base = overrides.get(url.origin);
        if (base !== undefined) options.url = new URL(`${base}${url.pathname}${url.search}`);
        return options;
      },
    });
  }
  return transporter;
}

/**
 * Points a DownscopedClient's token exchange at our transport. The library builds its STS client
 * with a private HTTP transport and offers no option for it (nor for the STS URL); replacing that
 * transport is the one place this adapter reaches into google-auth-library (pinned at 10.9.1).
 */
function routeTokenExchange(client: DownscopedClient, transporter: gaxios.Gaxios): void {
  const sts = (client as unknown as { stsCredential?: { transporter?: { request?: unknown } } }).stsCredential;
  if (typeof sts?.transporter?.request !== 'function') {
    throw new LakegateError('FAILED_PRECONDITION', 'This google-auth-library version has no DownscopedClient token-exchange transport to route; lakegate needs 10.9.x.');
  }
  (sts as { transporter: gaxios.Gaxios }).transporter = transporter;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'TimeoutError', 'AbortError', 'UND_ERR_SOCKET']);
/** STS answers to a request it could not accept, as opposed to a subject token it would not exchange. */
const STS_REJECTED_REQUEST = new Set(['invalid_request', 'invalid_target', 'invalid_scope', 'unsupported_grant_type']);

interface HttpErrorShape {
  name?: unknown;
  code?: unknown;
  config?: { url?: unknown };
  response?: { status?: unknown; data?: unknown };
}

/** Which Google endpoint a request URL (possibly an overridden one) belongs to; paths are kept by overrides. */
export function upstreamOf(url: unknown): GcpUpstream {
  let path: string;
  try {
    path = new URL(String(url)).pathname;
  } catch {
    return 'other';
  }
  if (path.endsWith('/v1/token')) return 'sts';
  if (path.endsWith(':generateAccessToken')) return 'iam';
  if (path.endsWith('/token')) return 'oauth2';
  return 'other';
}

/** The OAuth error code (`invalid_grant`) or Google status name (`PERMISSION_DENIED`) of an error body, if it is one. */
function errorCodeOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { error } = data as { error?: unknown };
  if (typeof error === 'string') return /^[a-z_]{1,64}$/.test(error) ? error : undefined;
  const status = typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  return typeof status === 'string' && /^[A-Z_]{1,64}$/.test(status) ? status : undefined;
}

const UPSTREAM_NAMES: Record<GcpUpstream, string> = { oauth2: 'Google OAuth 2.0', iam: 'IAM Credentials', sts: 'Google STS', other: 'Google' };

/**
 * Maps a google-auth-library or transport failure to a catalog error. Messages and details name the
 * service account, the endpoint and Google's error code only: never a token, never Google's own text.
 * The library's error is not kept as `cause` either, because its request config holds the tokens sent.
 */
export function mapGcpError(error: unknown, serviceAccount: string): LakegateError {
  if (error instanceof LakegateError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as HttpErrorShape;
  const upstream = upstreamOf(e.config?.url);
  const status = typeof e.response?.status === 'number' ? e.response.status : undefined;
  const gcpError = errorCodeOf(e.response?.data);
  const networkCode = typeof e.code === 'string' && NETWORK_CODES.has(e.code) ? e.code : undefined;
  const reason = gcpError ?? networkCode ?? (status === undefined ? (typeof e.name === 'string' ? e.name : 'Error') : `HTTP ${status}`);
  const details: Record<string, unknown> = { upstream, reason, ...(status === undefined ? {} : { httpStatus: status }) };
  const options = { details, cause: new Error(`${upstream}: ${reason}${status === undefined ? '' : ` (HTTP ${status})`}`) };
  const name = UPSTREAM_NAMES[upstream];
  const suffix = `${reason}${status === undefined || reason === `HTTP ${status}` ? '' : `, HTTP ${status}`}`;

  if (status === undefined) {
    if (error instanceof Error && /could not load the default credentials/i.test(error.message)) {
      return new LakegateError('FAILED_PRECONDITION', `lakegate has no Google credentials to mint for service account '${serviceAccount}' (Application Default Credentials not found).`, options);
    }
    // No answer: connection, DNS, timeout, or a failure before any request was made.
    return new LakegateError('UPSTREAM_UNAVAILABLE', `${name} is unavailable while minting for service account '${serviceAccount}' (${suffix}); retry later.`, options);
  }
  if (status === 429 || status >= 500) {
    return new LakegateError('UPSTREAM_UNAVAILABLE', `${name} is unavailable while minting for service account '${serviceAccount}' (${suffix}); retry later.`, options);
  }
  switch (upstream) {
    case 'sts':
      if (status === 400 && gcpError !== undefined && STS_REJECTED_REQUEST.has(gcpError)) {
        return new LakegateError('INVALID_ARGUMENT', `Google STS rejected the access boundary for service account '${serviceAccount}' (${suffix}).`, options);
      }
      return new LakegateError('UPSTREAM_DENIED', `Google STS refused to downscope a token of service account '${serviceAccount}' (${suffix}).`, options);
    case 'iam':
      if (status === 400) return new LakegateError('INVALID_ARGUMENT', `IAM Credentials rejected the token request for service account '${serviceAccount}' (${suffix}).`, options);
      if (status === 401) return new LakegateError('UPSTREAM_DENIED', `IAM Credentials rejected lakegate's own Google credentials while minting for service account '${serviceAccount}' (${suffix}).`, options);
      return new LakegateError('UPSTREAM_DENIED', `lakegate may not impersonate service account '${serviceAccount}' (${suffix}).`, options);
    case 'oauth2':
      return new LakegateError('UPSTREAM_DENIED', `Google refused lakegate's own credentials while minting for service account '${serviceAccount}' (${suffix}).`, options);
    default:
      return new LakegateError('UPSTREAM_DENIED', `Google refused the request while minting for service account '${serviceAccount}' (${suffix}).`, options);
  }
}
