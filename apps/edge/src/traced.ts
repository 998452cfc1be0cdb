import type { FastifyReply, FastifyRequest } from 'fastify';
import { extractTraceContext, SpanKind, withSpan } from '@lakegate/telemetry';

const getter = {
  get: (h: FastifyRequest['headers'], key: string) => {
    const v = h[key];
    return Array.isArray(v) ? v[0] : v;
  },
  keys: (h: FastifyRequest['headers']) => Object.keys(h),
};

/**
 * Runs a route handler inside a SERVER span whose parent is the caller's W3C trace context (if it
 * sent one), so the NATS hops after it join the caller's trace.
 */
export function traced<R extends FastifyRequest>(name: string, handler: (request: R, reply: FastifyReply) => Promise<FastifyReply>) {
  return (request: R, reply: FastifyReply) =>
    withSpan(
      name,
      { kind: SpanKind.SERVER, parent: extractTraceContext(request.headers, getter), attributes: { 'http.request.method': request.method, 'url.path': request.url.split('?')[0] ?? '', 'lakegate.request_id': request.id } },
      async (span) => {
        const result = await handler(request, reply);
        span.setAttribute('http.response.status_code', reply.statusCode);
        return result;
      },
    );
}
