import { context, propagation, trace, SpanKind, SpanStatusCode, type Attributes, type Context, type Span, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';

export { SpanKind, SpanStatusCode, context, propagation, trace };
export type { Span, Context };

export interface TelemetrySettings {
  service: string;
  /** OTLP/HTTP traces endpoint (e.g. http://collector:4318/v1/traces); none = spans are not exported. */
  otlpEndpoint?: string | undefined;
  /** Extra exporters, e.g. an in-memory exporter in tests; exported synchronously. */
  exporters?: SpanExporter[];
}

export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Registers the global tracer provider, the async-local context manager and W3C trace-context
 * propagation. Spans exist (and their ids reach logs and NATS headers) even when nothing exports them.
 */
export function startTelemetry(settings: TelemetrySettings): Telemetry {
  const processors: SpanProcessor[] = (settings.exporters ?? []).map((e) => new SimpleSpanProcessor(e));
  if (settings.otlpEndpoint) processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.otlpEndpoint })));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.service }),
    spanProcessors: processors,
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

export const tracer = (name = 'lakegate') => trace.getTracer(name);

/** Runs `fn` inside a new active span; records an exception and error status when it throws. */
export async function withSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const spanOptions = { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}) };
  return tracer().startActiveSpan(name, spanOptions, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : new Error(String(error)));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Writes the active trace context into a carrier (NATS or HTTP headers). */
export function injectTraceContext<C>(carrier: C, setter: TextMapSetter<C>, ctx: Context = context.active()): void {
  propagation.inject(ctx, carrier, setter);
}

/** Reads a trace context from a carrier; the result is the parent for the receiver's span. */
export function extractTraceContext<C>(carrier: C, getter: TextMapGetter<C>): Context {
  return propagation.extract(context.active(), carrier, getter);
}
