import { generateKeyPairSync, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { objectIdFor, signAccessToken, type AccessTokenClaims } from './access-token.js';

/** An app registration (service principal) the authority knows. */
export interface EntraApp {
  readonly tenantId: string;
  readonly clientId: string;
  /** Accepted for `client_credentials` with `client_secret`. */
  readonly clientSecret?: string;
  /** Accepted as `client_assertion` (workload identity federation: the projected token file's content). */
  readonly federatedTokens?: readonly string[];
  /** The service principal's object id (`oid`); default: a stable id derived from tenant and client. */
  readonly objectId?: string;
  /** Forces the tokens' `aud`; by default it is the resource named by the `<resource>/.default` scope. */
  readonly audience?: string;
  /** Token life in seconds; default 3600. */
  readonly tokenLifetimeSeconds?: number;
}

export interface EntraAuthorityOptions {
  /** PEM certificate and key to serve HTTPS with (MSAL and `@azure/identity` refuse plain HTTP authorities). */
  readonly tls: { readonly cert: string; readonly key: string };
  readonly apps: readonly EntraApp[];
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to bind; default 127.0.0.1. */
  readonly host?: string;
}

/** One token request, as received. Never holds a secret, an assertion or an issued token. */
export interface TokenCall {
  readonly requestId: string;
  /** Epoch milliseconds when the request arrived. */
  readonly receivedAt: number;
  readonly tenantId: string;
  readonly clientId?: string;
  readonly grantType?: string;
  readonly scope?: string;
  /** How the client authenticated. */
  readonly clientAuth: 'secret' | 'assertion' | 'none';
  /** HTTP status of the answer (0 when the connection was dropped) and the OAuth error, if any. */
  readonly status: number;
  readonly error?: string;
  /** The issued token's `oid` and `exp` (epoch seconds), on success. */
  readonly objectId?: string;
  readonly expiresAt?: number;
}

export interface EntraAuthority {
  /** The authority host, e.g. `https://127.0.0.1:41234`; pass it as `authorityHost`. */
  readonly url: string;
  readonly port: number;
  /** Every token request, oldest first. */
  readonly calls: readonly TokenCall[];
  /** The object id the authority puts in `oid` for an app. */
  objectIdOf(tenantId: string, clientId: string): string;
  /** The next token request is answered with this OAuth error (e.g. 503 `temporarily_unavailable`). */
  failNext(status: number, error: string, description?: string): void;
  /** The next token request gets its connection destroyed without an answer. */
  dropNext(): void;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

interface OAuthError {
  readonly status: number;
  readonly error: string;
  readonly code: number;
  readonly description: string;
}

type Injection = { readonly kind: 'error'; readonly fault: OAuthError } | { readonly kind: 'drop' };

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Starts a loopback HTTPS stand-in for Microsoft Entra ID that is good enough for `@azure/identity`
 * with `authorityHost` and `disableInstanceDiscovery: true`: OpenID metadata, JWKS and the v2.0 token
 * endpoint with the client-credentials grant (client secret or federated client assertion). Issued
 * tokens are RS256 JWTs in the v1.0 shape Azure Storage reads (`iss` `https://sts.windows.net/<tenant>/`,
 * `aud` the resource, `oid`, `tid`, `appid`). Errors use Entra's body shape and AADSTS codes.
 */
export async function startEntraAuthority(options: EntraAuthorityOptions): Promise<EntraAuthority> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID().replaceAll('-', '');
  const calls: TokenCall[] = [];
  const injections: Injection[] = [];
  const apps = new Map(options.apps.map((app) => [appKey(app.tenantId, app.clientId), app]));
  const tenants = new Set(options.apps.map((app) => app.tenantId.toLowerCase()));
  let baseUrl = '';

  const objectIdOf = (tenantId: string, clientId: string): string =>
    apps.get(appKey(tenantId, clientId))?.objectId ?? objectIdFor(tenantId.toLowerCase(), clientId.toLowerCase());

  const metadata = (tenant: string) => ({
    token_endpoint: `${baseUrl}/${tenant}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${baseUrl}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${baseUrl}/${tenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${baseUrl}/oidc/userinfo`,
    authorization_endpoint: `${baseUrl}/${tenant}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${baseUrl}/${tenant}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${baseUrl}/${tenant}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'oid', 'tid'],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
  });

  const token = async (req: IncomingMessage, res: ServerResponse, tenant: string): Promise<void> => {
    const requestId = randomUUID();
    const call: { -readonly [K in keyof TokenCall]: TokenCall[K] } = { requestId, receivedAt: Date.now(), tenantId: tenant, clientAuth: 'none', status: 0 };
    calls.push(call);
    const raw = await readBody(req);
    const fail = (fault: OAuthError) => {
      call.status = fault.status;
      call.error = fault.error;
      sendJson(res, fault.status, errorBody(fault, requestId), requestId);
    };
    if (raw === undefined) return fail({ status: 413, error: 'invalid_request', code: 90_015, description: 'The request body is too large.' });
    const form = new URLSearchParams(raw);
    const clientId = form.get('client_id') ?? undefined;
    const grantType = form.get('grant_type') ?? undefined;
    const scope = form.get('scope') ?? undefined;
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    Object.assign(call, clientId === undefined ? {} : { clientId }, grantType === undefined ? {} : { grantType }, scope === undefined ? {} : { scope });
    call.clientAuth = secret !== null ? 'secret' : assertion !== null ? 'assertion' : 'none';

    const injection = injections.shift();
    if (injection?.kind === 'drop') {
      call.error = 'connection_dropped';
      req.socket.destroy();
      return;
    }
    if (injection?.kind === 'error') return fail(injection.fault);

    if (!tenants.has(tenant.toLowerCase())) {
      return fail({ status: 400, error: 'invalid_request', code: 90_002, description: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.` });
    }
    if (grantType !== 'client_credentials') {
      return fail({ status: 400, error: 'unsupported_grant_type', code: 70_003, description: `The app requested an unsupported grant type '${grantType ?? ''}'.` });
    }
    const app = clientId === undefined ? undefined : apps.get(appKey(tenant, clientId));
    if (!app || clientId === undefined) {
      return fail({ status: 400, error: 'unauthorized_client', code: 700_016, description: `Application with identifier '${clientId ?? ''}' was not found in the directory '${tenant}'.` });
    }
    if (secret !== null) {
      if (app.clientSecret === undefined || !sameString(secret, app.clientSecret)) {
        return fail({ status: 401, error: 'invalid_client', code: 7_000_215, description: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.` });
      }
    } else if (assertion !== null) {
      if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE || !(app.federatedTokens ?? []).some((t) => sameString(assertion, t))) {
        return fail({ status: 400, error: 'invalid_client', code: 700_213, description: `No matching federated identity record found for presented assertion subject for app '${clientId}'.` });
      }
    } else {
      return fail({ status: 401, error: 'invalid_client', code: 7_000_218, description: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'." });
    }
    const resource = scope?.split(' ').find((s) => s.endsWith('/.default'))?.slice(0, -'/.default'.length);
    if (!resource) {
      return fail({ status: 400, error: 'invalid_scope', code: 1_002_012, description: `The provided value for scope '${scope ?? ''}' is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).` });
    }

    const now = Math.floor(Date.now() / 1000);
    const lifetime = app.tokenLifetimeSeconds ?? 3600;
    const tid = app.tenantId;
    const oid = objectIdOf(tid, app.clientId);
    const claims: AccessTokenClaims = {
      aud: app.audience ?? resource,
      iss: `https://sts.windows.net/${tid}/`,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      appid: app.clientId,
      appidacr: secret !== null ? '1' : '2',
      idp: `https://sts.windows.net/${tid}/`,
      oid,
      sub: oid,
      tid,
      uti: randomUUID().replaceAll('-', '').slice(0, 22),
      ver: '1.0',
    };
    call.status = 200;
    call.objectId = oid;
    call.expiresAt = claims.exp;
    sendJson(res, 200, { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: signAccessToken(claims, privateKey, kid) }, requestId);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://authority');
    const parts = url.pathname.split('/').filter((p) => p !== '');
    const tenant = parts[0] ?? '';
    const rest = parts.slice(1).join('/');
    if (req.method === 'GET' && url.pathname === '/common/discovery/instance') {
      const host = new URL(baseUrl).host;
      return sendJson(res, 200, {
        tenant_discovery_endpoint: `${baseUrl}/${url.searchParams.get('authorization_endpoint')?.split('/')[3] ?? 'common'}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      });
    }
    if (req.method === 'GET' && (rest === 'v2.0/.well-known/openid-configuration' || rest === '.well-known/openid-configuration')) return sendJson(res, 200, metadata(tenant));
    if (req.method === 'GET' && rest === 'discovery/v2.0/keys') {
      return sendJson(res, 200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256', x5t: kid }] });
    }
    if (req.method === 'POST' && rest === 'oauth2/v2.0/token') return token(req, res, tenant);
    return sendJson(res, 404, { error: 'not_found', error_description: `No route for ${req.method ?? ''} ${url.pathname}` });
  };

  const server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: 'server_error', error_description: 'The emulator failed.' });
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
  baseUrl = `https://${family === 'IPv6' ? `[${address}]` : address}:${port}`;

  return {
    url: baseUrl,
    port,
    calls,
    objectIdOf,
    failNext: (status, error, description = `Injected ${error}.`) => {
      injections.push({ kind: 'error', fault: { status, error, code: 0, description } });
    },
    dropNext: () => {
      injections.push({ kind: 'drop' });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const appKey = (tenantId: string, clientId: string) => `${tenantId.toLowerCase()}/${clientId.toLowerCase()}`;

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function errorBody(fault: OAuthError, traceId: string) {
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  const correlationId = randomUUID();
  const aadsts = fault.code > 0 ? `AADSTS${fault.code}: ` : '';
  return {
    error: fault.error,
    error_description: `${aadsts}${fault.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: fault.code > 0 ? [fault.code] : [],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    ...(fault.code > 0 ? { error_uri: `https://login.microsoftonline.com/error?code=${fault.code}` } : {}),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, requestId?: string): void {
  if (res.destroyed) return;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store, no-cache',
    ...(requestId === undefined ? {} : { 'x-ms-request-id': requestId }),
  });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
