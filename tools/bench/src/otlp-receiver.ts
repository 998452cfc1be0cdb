import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { percentileOf } from './stats.js';

/** One finished span as the bench needs it. */
export interface SpanRecord {
  service: string;
  name: string;
  kind: number;
  traceId: string;
  /** epoch ms (fractional) */
  startMs: number;
  durationMs: number;
}

/** Per (service, span name): how many, and how long. */
export interface SpanSummary {
  service: string;
  name: string;
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
}

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
interface OtlpJson {
  resourceSpans?: {
    resource?: { attributes?: { key?: string; value?: AnyValue }[] };
    scopeSpans?: { spans?: { name?: string; kind?: number; traceId?: string; startTimeUnixNano?: string | number; endTimeUnixNano?: string | number }[] }[];
  }[];
}

/** Nanoseconds since the epoch, sent as a decimal string (JSON encoding) or a number. */
function nanos(value: string | number | undefined): bigint | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? BigInt(Math.round(value)) : undefined;
  return typeof value === 'string' && /^\d+$/.test(value) ? BigInt(value) : undefined;
}

const nanosToMs = (ns: bigint) => Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6;

/**
 * Reads an OTLP/HTTP JSON `ExportTraceServiceRequest` (what `@opentelemetry/exporter-trace-otlp-http`
 * sends: timestamps as decimal strings of nanoseconds, ids as hex). Spans without a name or
 * valid times are skipped.
 */
export function parseOtlpJson(body: unknown): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (const rs of (body as OtlpJson | null)?.resourceSpans ?? []) {
    const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? 'unknown';
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        const start = nanos(span.startTimeUnixNano);
        const end = nanos(span.endTimeUnixNano);
        if (!span.name || start === undefined || end === undefined || end < start) continue;
        // Durations from the integer difference: epoch ms as a double keeps only ~0.2 µs.
        out.push({ service, name: span.name, kind: span.kind ?? 0, traceId: span.traceId ?? '', startMs: nanosToMs(start), durationMs: nanosToMs(end - start) });
      }
    }
  }
  return out;
}

/** Groups spans by service and name, ordered by mean duration, longest first. */
export function summarizeSpans(spans: readonly SpanRecord[]): SpanSummary[] {
  const groups = new Map<string, { service: string; name: string; durations: number[] }>();
  for (const s of spans) {
    const key = `${s.service}\0${s.name}`;
    const group = groups.get(key);
    if (group) group.durations.push(s.durationMs);
    else groups.set(key, { service: s.service, name: s.name, durations: [s.durationMs] });
  }
  return [...groups.values()]
    .map(({ service, name, durations }) => {
      durations.sort((a, b) => a - b);
      return {
        service,
        name,
        count: durations.length,
        meanMs: durations.reduce((a, b) => a + b, 0) / durations.length,
        p50Ms: percentileOf(durations, 50),
        p95Ms: percentileOf(durations, 95),
      };
    })
    .sort((a, b) => b.meanMs - a.meanMs);
}

/** A minimal OTLP/HTTP traces endpoint (JSON only) that keeps what it receives in memory. */
export class OtlpReceiver {
  private readonly spans: SpanRecord[] = [];
  private rejected = 0;
  private readonly server: Server = createServer((req, res) => {
    void this.handle(req).then((status) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 200 ? '{}' : '{"error":"send OTLP JSON to POST /v1/traces"}');
    });
  });
  private port = 0;
  private constructor(private readonly maxSpans: number) {}

  static async start(options: { port?: number; maxSpans?: number } = {}): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver(options.maxSpans ?? 500_000);
    await new Promise<void>((resolve, reject) => {
      receiver.server.once('error', reject);
      receiver.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    receiver.port = (receiver.server.address() as AddressInfo).port;
    return receiver;
  }

  /** The endpoint to give `LAKEGATE_OTLP_TRACES_URL`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/v1/traces`;
  }

  private async handle(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || !(req.headers['content-type'] ?? '').includes('json')) {
      this.rejected++;
      return 415;
    }
    try {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      for (const span of parseOtlpJson(JSON.parse(body.toString('utf8')))) {
        if (this.spans.length < this.maxSpans) this.spans.push(span);
      }
      return 200;
    } catch {
      this.rejected++;
      return 400;
    }
  }

  /** Spans that started inside [fromMs, toMs]. */
  spansBetween(fromMs: number, toMs: number): SpanRecord[] {
    return this.spans.filter((s) => s.startMs >= fromMs && s.startMs <= toMs);
  }

  /** Requests that were not OTLP JSON (e.g. protobuf): a non-zero count means the breakdown is missing spans. */
  get rejectedRequests(): number {
    return this.rejected;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
