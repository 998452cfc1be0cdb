import { RequestError, TimeoutError, type NatsConnection, type MsgHdrs } from '@nats-io/nats-core';
import { LakegateError, type Codec } from '@lakegate/contracts';
import { SpanKind, withSpan } from '@lakegate/telemetry';
import { tracedHeaders } from './trace-headers.js';

export interface RequestOptions {
  timeoutMs: number;
  headers?: Record<string, string>;
}

/**
 * A typed request: sends bytes with the active trace context, decodes and validates the reply.
 * No responders → SERVICE_UNAVAILABLE; no reply in time → DEADLINE_EXCEEDED.
 */
export async function requestTyped<T>(nc: NatsConnection, subject: string, payload: Uint8Array, replyCodec: Codec<T>, options: RequestOptions): Promise<T> {
  return withSpan(`nats request ${subject}`, { kind: SpanKind.CLIENT, attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject } }, async () => {
    const msg = await nc
      .request(subject, payload, { timeout: options.timeoutMs, headers: tracedHeaders(options.headers) })
      .catch((error: unknown) => {
        throw mapRequestError(subject, error);
      });
    return replyCodec.decode(msg.data);
  });
}

export function mapRequestError(subject: string, error: unknown): LakegateError {
  if (error instanceof LakegateError) return error;
  if (error instanceof RequestError && error.isNoResponders()) {
    return new LakegateError('SERVICE_UNAVAILABLE', `No service is answering ${subject}.`, { cause: error });
  }
  if (error instanceof TimeoutError || (error instanceof RequestError && error.cause instanceof TimeoutError)) {
    return new LakegateError('DEADLINE_EXCEEDED', `No reply on ${subject} in time.`, { cause: error });
  }
  return new LakegateError('SERVICE_UNAVAILABLE', `Request on ${subject} failed.`, { cause: error });
}

export type { MsgHdrs };
