import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakegateError, codec, ErrorBodySchema } from '@lakegate/contracts';
import { createLogger, startTelemetry, trace, withSpan, type Telemetry } from '@lakegate/telemetry';
import { startNatsServer, type NatsServerHandle } from '@lakegate/testkit';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Type } from '@sinclair/typebox';
import { connectNats, ensureStream, FORWARDED, jetstream, jetstreamManager, pingServices, publishDurable, requestTyped, startService, traceContextOf, type NatsConnection } from './index.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const Reply = Type.Union([
  Type.Object({ ok: Type.Literal(true), value: Type.String(), traceparent: Type.Optional(Type.String()) }),
  Type.Object({ ok: Type.Literal(false), requestId: Type.String(), error: ErrorBodySchema }),
]);
const replyCodec = codec(Reply);
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('platform-nats against a real nats-server', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let telemetry: Telemetry;
  const spans = new InMemorySpanExporter();

  beforeAll(async () => {
    telemetry = startTelemetry({ service: 'test', exporters: [spans] });
    server = await startNatsServer();
    nc = await connectNats({ servers: server.url, name: 'test' }, logger);
    await startService(
      nc,
      {
        name: 'probe',
        version: '0.0.1',
        description: 'test service',
        endpoints: [
          { name: 'ok', subject: 't.ok', handler: async (msg) => enc({ ok: true, value: 'fine', traceparent: msg.headers?.get('traceparent') }) },
          { name: 'throws', subject: 't.throws', handler: async () => { throw new LakegateError('PERMISSION_DENIED', 'no, you may not'); } },
          { name: 'rejects', subject: 't.rejects', handler: () => Promise.reject(new Error('secret internals')) },
          { name: 'sync-throw', subject: 't.sync', handler: () => { throw new TypeError('boom'); } },
          {
            name: 'forward',
            subject: 't.forward',
            handler: async (msg) => {
              nc.publish('t.ok', msg.data, { reply: msg.reply! });
              return FORWARDED;
            },
          },
        ],
      },
      logger,
    );
  });

  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
    await telemetry?.shutdown();
  });

  it('replies with the handler result', async () => {
    const reply = await requestTyped(nc, 't.ok', enc({}), replyCodec, { timeoutMs: 2000 });
    expect(reply).toMatchObject({ ok: true, value: 'fine' });
  });

  it('turns a thrown catalog error into an error reply with its code', async () => {
    const reply = await requestTyped(nc, 't.throws', enc({}), replyCodec, { timeoutMs: 2000, headers: { 'Lakegate-Request-Id': 'req-12345678' } });
    expect(reply).toEqual({ ok: false, requestId: 'req-12345678', error: { code: 'PERMISSION_DENIED', message: 'no, you may not' } });
  });

  it('turns a rejection into INTERNAL without exposing the cause', async () => {
    const reply = await requestTyped(nc, 't.rejects', enc({}), replyCodec, { timeoutMs: 2000 });
    expect(reply.ok).toBe(false);
    if (!reply.ok) {
      expect(reply.error.code).toBe('INTERNAL');
      expect(JSON.stringify(reply)).not.toContain('secret internals');
    }
  });

  it('answers even when the handler throws synchronously, and keeps serving', async () => {
    const reply = await requestTyped(nc, 't.sync', enc({}), replyCodec, { timeoutMs: 2000 });
    expect(reply.ok).toBe(false);
    const again = await requestTyped(nc, 't.ok', enc({}), replyCodec, { timeoutMs: 2000 });
    expect(again.ok).toBe(true);
  });

  it('lets a handler forward the caller reply subject to another service', async () => {
    const reply = await requestTyped(nc, 't.forward', enc({}), replyCodec, { timeoutMs: 2000 });
    expect(reply).toMatchObject({ ok: true, value: 'fine' });
  });

  it('maps no responders to SERVICE_UNAVAILABLE', async () => {
    await expect(requestTyped(nc, 't.nobody', enc({}), replyCodec, { timeoutMs: 500 })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('carries traceparent across a request-reply hop', async () => {
    spans.reset();
    const { traceId, reply } = await withSpan('client-op', {}, async (span) => ({
      traceId: span.spanContext().traceId,
      reply: await requestTyped(nc, 't.ok', enc({}), replyCodec, { timeoutMs: 2000 }),
    }));
    expect(reply.ok && reply.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));
    const server = spans.getFinishedSpans().find((s) => s.name === 'nats serve t.ok');
    expect(server?.spanContext().traceId).toBe(traceId);
    expect(trace.getSpanContext(traceContextOf(undefined))).toBeUndefined();
  });

  it('pings services by name', async () => {
    expect(await pingServices(nc, ['probe', 'absent'], 500)).toEqual({ probe: true, absent: false });
  });

  it('de-duplicates a publish repeated with the same Nats-Msg-Id', async () => {
    await ensureStream(nc, { name: 'DEDUP', subjects: ['dedup.>'] });
    const js = jetstream(nc);
    const first = await publishDurable(js, 'dedup.a', enc({ n: 1 }), { msgId: 'event-1', timeoutMs: 2000 });
    const second = await publishDurable(js, 'dedup.a', enc({ n: 1 }), { msgId: 'event-1', timeoutMs: 2000 });
    const third = await publishDurable(js, 'dedup.a', enc({ n: 2 }), { msgId: 'event-2', timeoutMs: 2000 });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(second.seq).toBe(first.seq);
    expect(third.seq).toBe(first.seq + 1);
    const info = await (await jetstreamManager(nc)).streams.info('DEDUP');
    expect(info.state.messages).toBe(2);
  });

  it('fails a durable publish with SERVICE_UNAVAILABLE when no stream captures the subject', async () => {
    await expect(publishDurable(jetstream(nc), 'nostream.x', enc({}), { msgId: 'x', timeoutMs: 500 })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
