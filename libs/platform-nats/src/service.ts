import { Svcm, type Service, type ServiceMsg } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/nats-core';
import { HEADERS, QUEUE_GROUP, toLakegateError, type LakegateError } from '@lakegate/contracts';
import { SpanKind, withSpan, type Logger, type Span } from '@lakegate/telemetry';
import { traceContextOf } from './trace-headers.js';

const encoder = new TextEncoder();

/** Returned by a handler that passed the message on (e.g. authz forwarding to a minter): no reply here. */
export const FORWARDED = Symbol('forwarded');

export interface HandlerContext {
  readonly span: Span;
  readonly logger: Logger;
  /** The request id from the message header, when the sender set one. */
  readonly requestId: string | undefined;
}

export interface EndpointDefinition {
  name: string;
  subject: string;
  /** Queue group; replicas with the same one share the work. Defaults to `lakegate`. */
  queue?: string;
  metadata?: Record<string, string>;
  handler(msg: ServiceMsg, ctx: HandlerContext): Promise<Uint8Array | typeof FORWARDED>;
  /** The error body for this endpoint; defaults to `{ok:false, requestId, error}`. */
  errorReply?(error: LakegateError, msg: ServiceMsg): Uint8Array;
}

export interface ServiceDefinition {
  name: string;
  version: string;
  description: string;
  metadata?: Record<string, string>;
  endpoints: EndpointDefinition[];
}

export const errorReplyBody = (error: LakegateError, requestId: string | undefined): Uint8Array =>
  encoder.encode(JSON.stringify({ ok: false, requestId: requestId ?? '', error: error.toBody() }));

/**
 * Registers a NATS micro-service (discoverable through $SRV.PING/INFO/STATS). Every endpoint runs
 * through one wrapper: it awaits the handler, always replies, and turns anything thrown into a
 * catalog error reply, so a failing handler can neither leave a caller waiting nor stop the service.
 */
export async function startService(nc: NatsConnection, definition: ServiceDefinition, logger: Logger): Promise<Service> {
  const service = await new Svcm(nc).add({
    name: definition.name,
    version: definition.version,
    description: definition.description,
    queue: QUEUE_GROUP,
    ...(definition.metadata ? { metadata: definition.metadata } : {}),
  });
  for (const endpoint of definition.endpoints) {
    service.addEndpoint(endpoint.name, {
      subject: endpoint.subject,
      queue: endpoint.queue ?? QUEUE_GROUP,
      ...(endpoint.metadata ? { metadata: endpoint.metadata } : {}),
      handler: (err, msg) => {
        if (err) {
          logger.error({ err, endpoint: endpoint.name }, 'endpoint subscription failed');
          return;
        }
        void handle(endpoint, msg, logger);
      },
    });
  }
  logger.info({ name: definition.name, endpoints: definition.endpoints.map((e) => e.subject) }, 'service started');
  return service;
}

async function handle(endpoint: EndpointDefinition, msg: ServiceMsg, baseLogger: Logger): Promise<void> {
  const requestId = msg.headers?.get(HEADERS.requestId) || undefined;
  const logger = requestId ? baseLogger.child({ requestId }) : baseLogger;
  await withSpan(
    `nats serve ${endpoint.subject}`,
    { kind: SpanKind.SERVER, parent: traceContextOf(msg.headers), attributes: { 'messaging.system': 'nats', 'messaging.destination.name': endpoint.subject } },
    async (span) => {
      try {
        const reply = await endpoint.handler(msg, { span, logger, requestId });
        if (reply !== FORWARDED) msg.respond(reply);
      } catch (thrown) {
        const error = toLakegateError(thrown);
        if (error.code === 'INTERNAL') logger.error({ err: thrown }, 'handler failed');
        else logger.debug({ code: error.code }, error.message);
        span.setAttribute('lakegate.error_code', error.code);
        try {
          const body = endpoint.errorReply ? endpoint.errorReply(error, msg) : errorReplyBody(error, requestId);
          msg.respondError(error.status, error.code, body);
        } catch (replyError) {
          logger.error({ err: replyError }, 'could not send the error reply');
        }
      }
    },
  ).catch((error: unknown) => logger.error({ err: error }, 'endpoint wrapper failed'));
}

/** Pings each named service once; true for those that answered within the timeout. */
export async function pingServices(nc: NatsConnection, names: readonly string[], timeoutMs: number): Promise<Record<string, boolean>> {
  const client = new Svcm(nc).client({ strategy: 'count', maxMessages: 1, maxWait: timeoutMs });
  const results = await Promise.all(
    names.map(async (name) => {
      try {
        const it = await client.ping(name);
        for await (const _ of it) return [name, true] as const;
      } catch {
        // no responders or a timeout: not ready
      }
      return [name, false] as const;
    }),
  );
  return Object.fromEntries(results);
}
