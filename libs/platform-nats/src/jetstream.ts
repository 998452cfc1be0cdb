import { jetstream, jetstreamManager, type JetStreamClient, type PubAck, type StreamConfig } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { HEADERS, LakegateError } from '@lakegate/contracts';
import { SpanKind, withSpan } from '@lakegate/telemetry';
import { tracedHeaders } from './trace-headers.js';

export type { JetStreamClient, PubAck, StreamConfig };
export { jetstream, jetstreamManager };

export interface DurablePublishOptions {
  /** De-duplication id (Nats-Msg-Id): a second publish with it inside the window is dropped. */
  msgId: string;
  timeoutMs: number;
  headers?: Record<string, string>;
}

/** Publishes to a stream and waits for the server's acknowledgement that it is stored. */
export async function publishDurable(js: JetStreamClient, subject: string, data: Uint8Array, options: DurablePublishOptions): Promise<PubAck> {
  return withSpan(`jetstream publish ${subject}`, { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject } }, async () => {
    try {
      return await js.publish(subject, data, {
        msgID: options.msgId,
        timeout: options.timeoutMs,
        headers: tracedHeaders({ ...options.headers, [HEADERS.msgId]: options.msgId }),
      });
    } catch (error) {
      throw new LakegateError('SERVICE_UNAVAILABLE', `The stream did not acknowledge ${subject}.`, { cause: error });
    }
  });
}

/** Creates the stream when it is missing, or updates its subjects and limits when it exists. */
export async function ensureStream(nc: NatsConnection, config: Partial<StreamConfig> & { name: string; subjects: string[] }): Promise<void> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(config.name);
    await jsm.streams.update(config.name, config);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      await jsm.streams.add(config);
    } catch (addError) {
      // another replica created it first
      if (!String(addError).includes('already in use')) throw addError;
    }
  }
}

const isNotFound = (error: unknown) => /not found/i.test(String((error as Error)?.message ?? error));
