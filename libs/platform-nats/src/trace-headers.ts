import { headers, type MsgHdrs } from '@nats-io/nats-core';
import { extractTraceContext, injectTraceContext, type Context } from '@lakegate/telemetry';

const setter = { set: (h: MsgHdrs, key: string, value: string) => h.set(key, value) };
const getter = {
  get: (h: MsgHdrs | undefined, key: string) => h?.get(key) || undefined,
  keys: (h: MsgHdrs | undefined) => (h ? [...h.keys()] : []),
};

/** New NATS headers carrying the active W3C trace context plus the given values. */
export function tracedHeaders(values: Record<string, string> = {}): MsgHdrs {
  const h = headers();
  for (const [k, v] of Object.entries(values)) h.set(k, v);
  injectTraceContext(h, setter);
  return h;
}

/** The trace context a message carries (the parent of the receiver's span). */
export function traceContextOf(h: MsgHdrs | undefined): Context {
  return extractTraceContext(h, getter);
}
