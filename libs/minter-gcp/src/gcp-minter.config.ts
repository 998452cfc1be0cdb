import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LakegateError } from '@lakegate/contracts';

/**
 * Lifetimes of the tokens the GCP minter vends (seconds). A downscoped token lives exactly as long as
 * the token it was exchanged from, so these bound that source token: IAM `generateAccessToken` issues
 * at most 1 h by default, and 10 min is the shortest life worth handing to a query engine.
 */
export const GCP_TOKEN_LIFETIME_LIMITS = { min: 600, max: 3_600, default: 3_600 } as const;

export const DEFAULT_UNIVERSE_DOMAIN = 'googleapis.com';

/**
 * How lakegate arrives at the token it downscopes:
 * - `impersonate` (default): its source identity calls IAM Credentials `generateAccessToken` for the
 *   storage credential's service account with `lifetime` = the requested duration, so every vended
 *   token acts as that service account and lives exactly as long as asked. The source identity needs
 *   `roles/iam.serviceAccountTokenCreator` on each such service account.
 * - `source`: the source identity's own (cached) token is downscoped. The storage credential must name
 *   the source identity itself, and a vended token lives as long as the cached token has left: between
 *   the minimum lifetime (the source token is renewed before that) and an hour, whatever was requested.
 */
export const GCP_IDENTITY_MODES = ['impersonate', 'source'] as const;
export type GcpIdentityMode = (typeof GCP_IDENTITY_MODES)[number];

/** The fields of a service-account key file lakegate uses. */
export interface GcpServiceAccountKey {
  readonly type: 'service_account';
  readonly client_email: string;
  readonly private_key: string;
  readonly private_key_id?: string;
  readonly project_id?: string;
  readonly universe_domain?: string;
}

/** lakegate's own Google identity: the credentials every token starts from. */
export type GcpSourceCredentials =
  /** A service-account key, already parsed (e.g. from a secret store). */
  | { readonly kind: 'service-account-key'; readonly key: GcpServiceAccountKey }
  /** A service-account key file, read once at start-up. */
  | { readonly kind: 'service-account-key-file'; readonly path: string }
  /** Application Default Credentials: `GOOGLE_APPLICATION_CREDENTIALS`, gcloud's file, or the metadata server. */
  | { readonly kind: 'application-default' };

/**
 * Base URLs replacing Google's endpoints, for private endpoints and the loopback emulators. The request
 * path is kept: `sts: 'http://127.0.0.1:4100'` sends the exchange to `http://127.0.0.1:4100/v1/token`.
 *
 * google-auth-library has no option for the STS endpoint (`DownscopedClient` always calls
 * `https://sts.<universeDomain>/v1/token`) nor for the OAuth 2.0 token endpoint a key's JWT grant
 * uses. Rather than resolve a fake `sts.<name>` host and trust a self-signed certificate
 * process-wide, the adapter routes every Google call through one HTTP transport of its own, and that
 * transport sends these endpoints' requests to the given base. The library still builds and sends
 * every request itself, so tests see exactly the form it sends in production.
 */
export interface GcpEndpoints {
  /** Replaces `https://sts.<universeDomain>` (token exchange, `POST /v1/token`). */
  readonly sts?: string;
  /** Replaces `https://iamcredentials.<universeDomain>` (`generateAccessToken`). */
  readonly iamCredentials?: string;
  /** Replaces `https://oauth2.googleapis.com` (the JWT grant of a service-account key, `POST /token`). */
  readonly oauth2?: string;
}

/** What the app passes to {@link GcpMinter}; validated once by {@link resolveGcpMinterConfig}. */
export interface GcpMinterOptions {
  /** lakegate's own credentials; default Application Default Credentials. */
  readonly source?: GcpSourceCredentials;
  /** Default `impersonate`; see {@link GCP_IDENTITY_MODES}. */
  readonly identity?: GcpIdentityMode;
  /** Default `googleapis.com`; other values for Trusted Partner Cloud universes. */
  readonly universeDomain?: string;
  /** Endpoint overrides; see {@link GcpEndpoints}. */
  readonly endpoints?: GcpEndpoints;
  /** Longest token lifetime to vend, 600–3600 s; default 3600. */
  readonly maxDurationSeconds?: number;
  /** Bound on each HTTP request to Google; default 5000 ms. */
  readonly requestTimeoutMs?: number;
  /** Attempts per HTTP request, including the first (retries on 429, 5xx and network errors); default 3. */
  readonly maxAttempts?: number;
}

/** The source after validation: key files have been read. */
export type GcpResolvedSource = { readonly kind: 'service-account-key'; readonly key: GcpServiceAccountKey } | { readonly kind: 'application-default' };

/** Options after validation, with defaults applied. Holds a private key: keep it private. */
export interface GcpMinterConfig {
  readonly source: GcpResolvedSource;
  readonly identity: GcpIdentityMode;
  readonly universeDomain: string;
  readonly endpoints: { readonly sts: string | undefined; readonly iamCredentials: string | undefined; readonly oauth2: string | undefined };
  readonly maxDurationSeconds: number;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const isGcpIdentityMode = (value: unknown): value is GcpIdentityMode =>
  typeof value === 'string' && (GCP_IDENTITY_MODES as readonly string[]).includes(value);

/** Validates options and applies defaults, reading a key file if one is named; every problem is listed in one error. */
export function resolveGcpMinterConfig(options: GcpMinterOptions): GcpMinterConfig {
  const problems: string[] = [];

  const universeDomain = options.universeDomain ?? DEFAULT_UNIVERSE_DOMAIN;
  if (typeof universeDomain !== 'string' || !DOMAIN.test(universeDomain)) problems.push(`universeDomain '${String(universeDomain)}' is not a domain name`);

  const identity = options.identity ?? 'impersonate';
  if (!isGcpIdentityMode(identity)) problems.push(`identity '${String(identity)}' is not one of ${GCP_IDENTITY_MODES.join(', ')}`);

  const source = resolveSource(options.source ?? { kind: 'application-default' }, universeDomain, problems);

  const endpoints = {
    sts: endpoint('endpoints.sts', options.endpoints?.sts, problems),
    iamCredentials: endpoint('endpoints.iamCredentials', options.endpoints?.iamCredentials, problems),
    oauth2: endpoint('endpoints.oauth2', options.endpoints?.oauth2, problems),
  };

  const { min, max } = GCP_TOKEN_LIFETIME_LIMITS;
  const maxDurationSeconds = options.maxDurationSeconds ?? max;
  if (!Number.isInteger(maxDurationSeconds) || maxDurationSeconds < min || maxDurationSeconds > max) {
    problems.push(`maxDurationSeconds must be an integer from ${min} to ${max}, got ${String(maxDurationSeconds)}`);
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs <= 0) problems.push('requestTimeoutMs must be a positive integer');
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) problems.push('maxAttempts must be an integer from 1 to 10');

  if (problems.length > 0 || source === undefined) {
    throw new LakegateError('INVALID_ARGUMENT', `Invalid GCP minter configuration: ${problems.join('; ')}.`, { details: { problems } });
  }
  return { source, identity, universeDomain, endpoints, maxDurationSeconds, requestTimeoutMs, maxAttempts };
}

function endpoint(name: string, value: string | undefined, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${name} '${value}' is not a URL`);
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') problems.push(`${name} '${value}' must be http(s)`);
  else if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') problems.push(`${name} '${value}' must not carry credentials, a query or a fragment`);
  else return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  return undefined;
}

function resolveSource(source: GcpSourceCredentials, universeDomain: string, problems: string[]): GcpResolvedSource | undefined {
  switch (source?.kind) {
    case 'application-default':
      return { kind: 'application-default' };
    case 'service-account-key':
      return checkKey(source.key, 'source.key', universeDomain, problems);
    case 'service-account-key-file': {
      if (typeof source.path !== 'string' || source.path === '') {
        problems.push('source.path must name a service-account key file');
        return undefined;
      }
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(source.path, 'utf8'));
      } catch (error) {
        // Only the error code: a parse error's message quotes the file, which holds a private key.
        const code = error instanceof SyntaxError ? 'not JSON' : typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'unreadable';
        problems.push(`source.path '${source.path}' could not be read as a key file (${code})`);
        return undefined;
      }
      return checkKey(json, `key file '${source.path}'`, universeDomain, problems);
    }
    default:
      problems.push(`source.kind '${String((source as { kind?: unknown } | undefined)?.kind)}' is not one of service-account-key, service-account-key-file, application-default`);
      return undefined;
  }
}

/** Checks the fields lakegate uses; messages never quote key material. */
function checkKey(value: unknown, where: string, universeDomain: string, problems: string[]): GcpResolvedSource | undefined {
  const key = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof GcpServiceAccountKey, unknown>>;
  const before = problems.length;
  if (key.type !== 'service_account') problems.push(`${where}: type must be 'service_account'`);
  if (typeof key.client_email !== 'string' || !EMAIL.test(key.client_email)) problems.push(`${where}: client_email is missing or not an email address`);
  if (typeof key.private_key !== 'string') problems.push(`${where}: private_key is missing`);
  else {
    try {
      createPrivateKey(key.private_key);
    } catch {
      problems.push(`${where}: private_key is not a PEM private key`);
    }
  }
  if (key.universe_domain !== undefined && key.universe_domain !== universeDomain) {
    problems.push(`${where}: universe_domain '${String(key.universe_domain)}' does not match universeDomain '${universeDomain}'`);
  }
  return problems.length === before ? { kind: 'service-account-key', key: value as GcpServiceAccountKey } : undefined;
}
