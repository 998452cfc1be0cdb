import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assumeRole, assumeRoleResponseXml, errorResponseXml, isFault, parseAssumeRole, STS_VERSION, type EmulatedRole } from './assume-role.js';
import { verifySigV4, type StsFault } from './sigv4-verifier.js';

export type { EmulatedRole } from './assume-role.js';

export interface StsEmulatorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to bind; default 127.0.0.1. */
  readonly host?: string;
  /** The callers: access key id → secret access key. Requests must be SigV4-signed with one of them. */
  readonly accessKeys: Readonly<Record<string, string>>;
  /** Delay before every response, in milliseconds. */
  readonly latencyMs?: number;
  /** The roles that exist, by ARN. Undefined: every role exists, trusts every caller, allows 43200 s. */
  readonly roles?: Readonly<Record<string, EmulatedRole>> | undefined;
}

/** One request to the STS endpoint, as received. Never holds the credentials the emulator returned. */
export interface AssumeRoleCall {
  /** The emulator's request id (also in the response). */
  readonly requestId: string;
  /** Epoch milliseconds when the request arrived. */
  readonly receivedAt: number;
  /** The signing access key id and region, when the Authorization header named them. */
  readonly accessKeyId?: string;
  readonly region?: string;
  readonly action?: string;
  /** Every form parameter, verbatim. */
  readonly params: Readonly<Record<string, string>>;
  readonly roleArn?: string;
  readonly roleSessionName?: string;
  readonly durationSeconds?: number;
  /** The inline session policy, verbatim. */
  readonly policy?: string;
  readonly externalId?: string;
  readonly sourceIdentity?: string;
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  /** HTTP status of the answer (0 when the connection was dropped), and the AWS error code when it was an error. */
  readonly status: number;
  readonly errorCode?: string;
}

export interface StsEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`; pass it as the SDK's `endpoint`. */
  readonly url: string;
  readonly port: number;
  /** Every request received, oldest first. */
  readonly calls: readonly AssumeRoleCall[];
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
  setLatency(ms: number): void;
  /** The next authenticated STS request is answered with this AWS error instead of being processed. */
  failNext(code: string, status: number, message?: string): void;
  /** The next authenticated STS request is answered with this raw body (e.g. XML without the result wrapper). */
  respondNext(body: string, status?: number, contentType?: string): void;
  /** The next authenticated STS request gets its connection destroyed without an answer. */
  dropNext(): void;
}

type Injection =
  | { readonly kind: 'fault'; readonly fault: StsFault }
  | { readonly kind: 'raw'; readonly status: number; readonly body: string; readonly contentType: string }
  | { readonly kind: 'drop' };

const MAX_BODY_BYTES = 64 * 1024;

/**
 * Starts a loopback STS that speaks the real Query/XML protocol (`Action=AssumeRole`,
 * `Version=2011-06-15`), verifies SigV4 signatures against `accessKeys`, validates inputs like STS
 * and returns random credentials. `GET /_emulator/calls` and `GET /_emulator/health` serve JSON.
 */
export async function startStsEmulator(options: StsEmulatorOptions): Promise<StsEmulator> {
  const calls: AssumeRoleCall[] = [];
  const injections: Injection[] = [];
  let latencyMs = options.latencyMs ?? 0;
  const secretFor = (id: string) => (Object.hasOwn(options.accessKeys, id) ? options.accessKeys[id] : undefined);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (req.method === 'GET' && url.pathname === '/_emulator/health') return sendJson(res, 200, { ok: true, calls: calls.length });
    if (req.method === 'GET' && url.pathname === '/_emulator/calls') return sendJson(res, 200, calls);

    const requestId = randomUUID();
    const receivedAt = Date.now();
    const raw = await readBody(req);
    const reply = async (status: number, xml: string, contentType = 'text/xml') => {
      if (latencyMs > 0) await delay(latencyMs);
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': requestId, date: new Date().toUTCString() });
      res.end(xml);
    };
    if (raw === undefined) return reply(413, errorResponseXml({ status: 413, code: 'RequestEntityTooLarge', message: 'Request body too large.' }, requestId));

    const params = new URLSearchParams(raw.toString('utf8'));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
    const call: { -readonly [K in keyof AssumeRoleCall]: AssumeRoleCall[K] } = {
      requestId,
      receivedAt,
      params: Object.fromEntries(params),
      tags: [],
      status: 0,
      ...optional('action', params.get('Action')),
    };
    calls.push(call);
    const fail = (f: StsFault) => {
      call.status = f.status;
      call.errorCode = f.code;
      return reply(f.status, errorResponseXml(f, requestId));
    };

    if (req.method !== 'POST' || url.pathname !== '/') return fail({ status: 405, code: 'InvalidAction', message: 'Send STS actions as POST / with a form body.' });
    const query: Record<string, string> = Object.fromEntries(url.searchParams);
    const auth = await verifySigV4({ method: 'POST', path: url.pathname, query, headers, body: raw }, secretFor, { service: 'sts', now: new Date() });
    Object.assign(call, optional('accessKeyId', auth.accessKeyId), optional('region', auth.region));
    if (!auth.ok) return fail(auth.fault);

    if (params.get('Action') !== 'AssumeRole') return fail({ status: 400, code: 'InvalidAction', message: `Could not find operation ${params.get('Action') ?? '(none)'} for version ${STS_VERSION}` });
    if (params.get('Version') !== STS_VERSION) return fail({ status: 400, code: 'InvalidAction', message: `Could not find operation AssumeRole for version ${params.get('Version') ?? '(none)'}` });
    Object.assign(call, {
      ...optional('roleArn', params.get('RoleArn')),
      ...optional('roleSessionName', params.get('RoleSessionName')),
      ...optional('policy', params.get('Policy')),
      ...optional('externalId', params.get('ExternalId')),
      ...optional('sourceIdentity', params.get('SourceIdentity')),
      ...optional('durationSeconds', params.has('DurationSeconds') ? Number(params.get('DurationSeconds')) : undefined),
    });

    const injection = injections.shift();
    if (injection?.kind === 'fault') return fail(injection.fault);
    if (injection?.kind === 'raw') {
      call.status = injection.status;
      return reply(injection.status, injection.body, injection.contentType);
    }
    if (injection?.kind === 'drop') {
      call.errorCode = 'ConnectionDropped';
      req.socket.destroy();
      return;
    }

    const parsed = parseAssumeRole(params);
    if (isFault(parsed)) return fail(parsed);
    call.tags = parsed.tags;
    const callerArn = `arn:aws:iam::000000000000:user/${auth.accessKeyId}`;
    const issued = assumeRole(parsed, options.roles, callerArn, new Date());
    if (isFault(issued)) return fail(issued);
    call.status = 200;
    return reply(200, assumeRoleResponseXml(issued, parsed.sourceIdentity, requestId));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/xml' });
        res.end(errorResponseXml({ status: 500, code: 'InternalFailure', message: 'The emulator failed.' }, randomUUID()));
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
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    failNext: (code, status, message = `Injected ${code}.`) => {
      injections.push({ kind: 'fault', fault: { status, code, message } });
    },
    respondNext: (body, status = 200, contentType = 'text/xml') => {
      injections.push({ kind: 'raw', status, body, contentType });
    },
    dropNext: () => {
      injections.push({ kind: 'drop' });
    },
  };
}

const optional = <K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } =>
  (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

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
