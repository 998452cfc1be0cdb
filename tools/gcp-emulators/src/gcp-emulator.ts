import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GENERATE_ACCESS_TOKEN_PATH,
  googleApiFaultBody,
  IAM_CALLER_SCOPES,
  isGoogleApiFault,
  mayImpersonate,
  parseGenerateAccessToken,
  permissionDenied,
  rfc3339Seconds,
  type GoogleApiFault,
} from './generate-access-token.js';
import { IssuedTokens, tokenFingerprint, type IssuedToken } from './issued-tokens.js';
import { isOAuthFault, JWT_BEARER_GRANT_TYPE, publicKeys, verifyJwtAssertion, type OAuthFault } from './jwt-bearer-grant.js';
import { ACCESS_TOKEN_TYPE, parseTokenExchange, type AccessBoundary } from './token-exchange.js';

/** The Google endpoints the emulator serves. */
export const GCP_EMULATED_ENDPOINTS = ['oauth2', 'iam', 'sts'] as const;
export type GcpEmulatedEndpoint = (typeof GCP_EMULATED_ENDPOINTS)[number];

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface GcpEmulatorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to bind; default 127.0.0.1. */
  readonly host?: string;
  /**
   * Service accounts whose keys may sign JWT-bearer grants at `POST /token`: email → PEM key (public,
   * or the private key of a key file, whose public half is used).
   */
  readonly serviceAccountKeys?: Readonly<Record<string, string>>;
  /**
   * Who may call `generateAccessToken`: target service account → caller service accounts. Absent:
   * every caller may impersonate every service account.
   */
  readonly impersonation?: Readonly<Record<string, readonly string[]>>;
  /** Lifetime of tokens issued by the JWT-bearer grant; default 3600 s (Google's). */
  readonly tokenLifetimeSeconds?: number;
  /** Longest `lifetime` generateAccessToken accepts; default 3600 s (12 h with the org policy exception). */
  readonly maxImpersonationLifetimeSeconds?: number;
  /** Delay before every response, in milliseconds. */
  readonly latencyMs?: number;
}

interface CallBase {
  /** The emulator's id for the request (also sent as `x-emulator-request-id`). */
  readonly requestId: string;
  /** Epoch milliseconds when the request arrived. */
  readonly receivedAt: number;
  readonly method: string;
  readonly path: string;
  /** HTTP status of the answer (0 when the connection was dropped). */
  readonly status: number;
  /** The OAuth error code or Google status name of an error answer. */
  readonly error?: string;
}

/** `POST /token`: a JWT-bearer grant. Never holds the assertion or the issued token. */
export interface OAuth2TokenCall extends CallBase {
  readonly endpoint: 'oauth2';
  readonly grantType?: string;
  readonly serviceAccount?: string;
  readonly scopes?: readonly string[];
  readonly issuedTokenSha256?: string;
}

/** `POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken`. */
export interface GenerateAccessTokenCall extends CallBase {
  readonly endpoint: 'iam';
  readonly targetServiceAccount?: string;
  /** The service account the bearer token belongs to, when the emulator issued it. */
  readonly caller?: string;
  readonly scopes?: readonly string[];
  readonly lifetimeSeconds?: number;
  readonly delegates?: readonly string[];
  readonly issuedTokenSha256?: string;
}

/** `POST /v1/token`: a token exchange with a Credential Access Boundary. */
export interface TokenExchangeCall extends CallBase {
  readonly endpoint: 'sts';
  /** Every form field verbatim, except `subject_token`, which is replaced by its fingerprint. */
  readonly form: Readonly<Record<string, string>>;
  /** Whether the request carried an Authorization header (Google asks clients not to send one). */
  readonly authorizationHeader: boolean;
  readonly subjectTokenSha256?: string;
  /** The service account the subject token belongs to, when the emulator issued it. */
  readonly subject?: string;
  /** `options.accessBoundary` as received (when `options` parsed). */
  readonly accessBoundary?: AccessBoundary;
  readonly issuedTokenSha256?: string;
  readonly expiresIn?: number;
}

export interface UnknownCall extends CallBase {
  readonly endpoint: 'unknown';
}

export type GcpEmulatorCall = OAuth2TokenCall | GenerateAccessTokenCall | TokenExchangeCall | UnknownCall;

export interface GcpEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`; the same base serves all three endpoints. */
  readonly url: string;
  readonly port: number;
  /** Every request received, oldest first. */
  readonly calls: readonly GcpEmulatorCall[];
  /** The calls to one endpoint, oldest first. */
  callsTo<E extends GcpEmulatedEndpoint>(endpoint: E): Extract<GcpEmulatorCall, { endpoint: E }>[];
  /** Issues a token for a service account directly, as if from the JWT-bearer grant. */
  issueAccessToken(serviceAccount: string, options?: { readonly lifetimeSeconds?: number; readonly scopes?: readonly string[] }): string;
  /** What the emulator issued this token as (identity, scopes, expiry, boundary), or undefined. */
  describeToken(token: string): IssuedToken | undefined;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
  setLatency(ms: number): void;
  /** The next request to `endpoint` is answered with this error (OAuth error code, or Google status name for iam). */
  failNext(endpoint: GcpEmulatedEndpoint, status: number, error?: string): void;
  /** The next request to `endpoint` is answered with this raw body. */
  respondNext(endpoint: GcpEmulatedEndpoint, body: string, status?: number, contentType?: string): void;
  /** The next request to `endpoint` gets its connection destroyed without an answer. */
  dropNext(endpoint: GcpEmulatedEndpoint): void;
}

type Injection =
  | { readonly kind: 'fault'; readonly status: number; readonly error: string | undefined }
  | { readonly kind: 'raw'; readonly status: number; readonly body: string; readonly contentType: string }
  | { readonly kind: 'drop' };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const MAX_BODY_BYTES = 64 * 1024;
const DEFAULT_LIFETIME_SECONDS = 3600;

/**
 * Starts a loopback stand-in for the three Google endpoints a downscoping broker talks to, sharing
 * one record of the tokens it issued:
 * - `POST /token` — OAuth 2.0 JWT-bearer grant for service-account keys (RS256 verified);
 * - `POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken` — IAM Credentials impersonation;
 * - `POST /v1/token` — STS token exchange with `options.accessBoundary` (Credential Access Boundary).
 * A downscoped token lives exactly as long as its subject token. `GET /_emulator/calls` and
 * `GET /_emulator/health` serve JSON.
 */
export async function startGcpEmulator(options: GcpEmulatorOptions = {}): Promise<GcpEmulator> {
  const calls: GcpEmulatorCall[] = [];
  const injections: Record<GcpEmulatedEndpoint, Injection[]> = { oauth2: [], iam: [], sts: [] };
  const tokens = new IssuedTokens();
  const keys = publicKeys(options.serviceAccountKeys ?? {});
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
  const maxImpersonationLifetimeSeconds = options.maxImpersonationLifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
  let latencyMs = options.latencyMs ?? 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (req.method === 'GET' && url.pathname === '/_emulator/health') return sendJson(res, 200, { ok: true, calls: calls.length });
    if (req.method === 'GET' && url.pathname === '/_emulator/calls') return sendJson(res, 200, calls);

    const requestId = randomUUID();
    const receivedAt = Date.now();
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const reply = async (status: number, body: string, contentType = 'application/json; charset=utf-8') => {
      if (latencyMs > 0) await delay(latencyMs);
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': contentType, 'x-emulator-request-id': requestId, 'cache-control': 'no-store' });
      res.end(body);
    };
    const base = { requestId, receivedAt, method, path: url.pathname, status: 0 };
    const iamMatch = GENERATE_ACCESS_TOKEN_PATH.exec(url.pathname);
    const endpoint: GcpEmulatedEndpoint | undefined =
      method !== 'POST' ? undefined : url.pathname === '/token' ? 'oauth2' : url.pathname === '/v1/token' ? 'sts' : iamMatch ? 'iam' : undefined;

    if (endpoint === undefined) {
      const call: Mutable<UnknownCall> = { ...base, endpoint: 'unknown', status: 404, error: 'NOT_FOUND' };
      calls.push(call);
      return reply(404, googleApiFaultBody({ code: 404, status: 'NOT_FOUND', message: `No emulated endpoint for ${method} ${url.pathname}.` }));
    }

    const oauthFail = (call: Mutable<OAuth2TokenCall | TokenExchangeCall>, fault: OAuthFault) => {
      call.status = fault.status;
      call.error = fault.error;
      return reply(fault.status, JSON.stringify({ error: fault.error, error_description: fault.description }));
    };
    const apiFail = (call: Mutable<GenerateAccessTokenCall>, fault: GoogleApiFault) => {
      call.status = fault.code;
      call.error = fault.status;
      return reply(fault.code, googleApiFaultBody(fault));
    };
    /** Applies an injected answer; true when it answered. */
    const injected = async (call: Mutable<CallBase>): Promise<boolean> => {
      const injection = injections[endpoint].shift();
      if (injection === undefined) return false;
      if (injection.kind === 'drop') {
        call.error = 'ConnectionDropped';
        req.socket.destroy();
        return true;
      }
      if (injection.kind === 'raw') {
        call.status = injection.status;
        await reply(injection.status, injection.body, injection.contentType);
        return true;
      }
      const error = injection.error ?? defaultErrorFor(endpoint, injection.status);
      call.status = injection.status;
      call.error = error;
      await reply(
        injection.status,
        endpoint === 'iam'
          ? googleApiFaultBody({ code: injection.status, status: error, message: `Injected ${error}.` })
          : JSON.stringify({ error, error_description: `Injected ${error}.` }),
      );
      return true;
    };

    if (raw === undefined) {
      calls.push({ ...base, endpoint: 'unknown', status: 413, error: 'RequestEntityTooLarge' });
      return reply(413, googleApiFaultBody({ code: 413, status: 'INVALID_ARGUMENT', message: 'Request body too large.' }));
    }
    const body = raw.toString('utf8');

    if (endpoint === 'oauth2') {
      const form = new URLSearchParams(body);
      const call: Mutable<OAuth2TokenCall> = { ...base, endpoint };
      const grantType = form.get('grant_type');
      if (grantType !== null) call.grantType = grantType;
      calls.push(call);
      if (await injected(call)) return;
      if (grantType !== JWT_BEARER_GRANT_TYPE) return oauthFail(call, { status: 400, error: 'unsupported_grant_type', description: `Unsupported grant type: ${grantType ?? '(none)'}` });
      const verified = verifyJwtAssertion(form.get('assertion') ?? '', keys, Date.now());
      if (isOAuthFault(verified)) return oauthFail(call, verified);
      call.serviceAccount = verified.serviceAccount;
      call.scopes = verified.scopes;
      const issued = tokens.issue({ identity: verified.serviceAccount, scopes: verified.scopes, expiresAt: Date.now() + tokenLifetimeSeconds * 1000, issuedBy: 'oauth2' });
      call.issuedTokenSha256 = issued.fingerprint;
      call.status = 200;
      return reply(200, JSON.stringify({ access_token: issued.token, expires_in: tokenLifetimeSeconds, token_type: 'Bearer' }));
    }

    if (endpoint === 'iam') {
      const target = safeDecode(iamMatch?.[2] ?? '');
      const call: Mutable<GenerateAccessTokenCall> = { ...base, endpoint, targetServiceAccount: target };
      calls.push(call);
      const bearer = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const caller = bearer === undefined ? undefined : tokens.live(bearer, Date.now());
      if (caller) call.caller = caller.identity;
      if (await injected(call)) return;
      if (!caller) {
        return apiFail(call, {
          code: 401,
          status: 'UNAUTHENTICATED',
          message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        });
      }
      if (!caller.scopes.some((s) => (IAM_CALLER_SCOPES as readonly string[]).includes(s))) {
        return apiFail(call, { code: 403, status: 'PERMISSION_DENIED', message: 'Request had insufficient authentication scopes.' });
      }
      const parsed = parseGenerateAccessToken(target, body, maxImpersonationLifetimeSeconds);
      if (isGoogleApiFault(parsed)) return apiFail(call, parsed);
      Object.assign(call, { scopes: parsed.scopes, lifetimeSeconds: parsed.lifetimeSeconds, delegates: parsed.delegates });
      if (!mayImpersonate(caller.identity, target, options.impersonation)) return apiFail(call, permissionDenied(target));
      // Whole seconds, as the API reports them, so the expiry a client computes matches the token's.
      const expiresAt = Math.floor((Date.now() + parsed.lifetimeSeconds * 1000) / 1000) * 1000;
      const issued = tokens.issue({ identity: target, scopes: parsed.scopes, expiresAt, issuedBy: 'iam' });
      call.issuedTokenSha256 = issued.fingerprint;
      call.status = 200;
      return reply(200, JSON.stringify({ accessToken: issued.token, expireTime: rfc3339Seconds(expiresAt) }));
    }

    const form = new URLSearchParams(body);
    const subjectToken = form.get('subject_token');
    const recorded = Object.fromEntries(form);
    if (subjectToken !== null) recorded['subject_token'] = tokenFingerprint(subjectToken);
    const call: Mutable<TokenExchangeCall> = { ...base, endpoint, form: recorded, authorizationHeader: req.headers.authorization !== undefined };
    calls.push(call);
    if (subjectToken !== null) call.subjectTokenSha256 = tokenFingerprint(subjectToken);
    const parsed = parseTokenExchange(form);
    if (!isOAuthFault(parsed)) call.accessBoundary = parsed.accessBoundary;
    const subject = subjectToken === null ? undefined : tokens.live(subjectToken, Date.now());
    if (subject) call.subject = subject.identity;
    if (await injected(call)) return;
    if (isOAuthFault(parsed)) return oauthFail(call, parsed);
    if (!subject) return oauthFail(call, { status: 400, error: 'invalid_grant', description: 'The subject token is invalid or has expired.' });
    const issued = tokens.issue({ identity: subject.identity, scopes: subject.scopes, expiresAt: subject.expiresAt, issuedBy: 'sts', accessBoundary: parsed.accessBoundary });
    const expiresIn = Math.max(0, Math.floor((subject.expiresAt - Date.now()) / 1000));
    Object.assign(call, { issuedTokenSha256: issued.fingerprint, expiresIn, status: 200 });
    return reply(200, JSON.stringify({ access_token: issued.token, issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: expiresIn }));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(googleApiFaultBody({ code: 500, status: 'INTERNAL', message: 'The emulator failed.' }));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address, family } = server.address() as AddressInfo;
  const host = family === 'IPv6' ? `[${address}]` : address;

  return {
    url: `http://${host}:${port}`,
    port,
    calls,
    callsTo: <E extends GcpEmulatedEndpoint>(endpoint: E) => calls.filter((c): c is Extract<GcpEmulatorCall, { endpoint: E }> => c.endpoint === endpoint),
    issueAccessToken: (serviceAccount, { lifetimeSeconds = tokenLifetimeSeconds, scopes = [CLOUD_PLATFORM_SCOPE] } = {}) =>
      tokens.issue({ identity: serviceAccount, scopes, expiresAt: Date.now() + lifetimeSeconds * 1000, issuedBy: 'oauth2' }).token,
    describeToken: (token) => tokens.describe(token),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    failNext: (endpoint, status, error) => {
      injections[endpoint].push({ kind: 'fault', status, error });
    },
    respondNext: (endpoint, body, status = 200, contentType = 'application/json') => {
      injections[endpoint].push({ kind: 'raw', status, body, contentType });
    },
    dropNext: (endpoint) => {
      injections[endpoint].push({ kind: 'drop' });
    },
  };
}

/** The error code an injected status gets when the test names none. */
function defaultErrorFor(endpoint: GcpEmulatedEndpoint, status: number): string {
  if (endpoint === 'iam') {
    const names: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 503: 'UNAVAILABLE' };
    return names[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
  }
  const codes: Record<number, string> = { 400: 'invalid_request', 401: 'unauthorized_client', 403: 'access_denied', 429: 'rate_limit_exceeded' };
  return codes[status] ?? (status >= 500 ? 'server_error' : 'invalid_request');
}

const safeDecode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

/** The body, or undefined when it exceeds the limit. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
