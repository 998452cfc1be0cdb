import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver, parseOtlpJson, summarizeSpans, type SpanRecord } from './otlp-receiver.js';

/** The shape `@opentelemetry/exporter-trace-otlp-http` 0.223 sends (JsonTraceSerializer): nanos as strings, hex ids. */
function exportRequest(service: string, spans: { name: string; start: bigint; end: bigint; kind?: number }[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }, { key: 'host.name', value: { stringValue: 'x' } }], droppedAttributesCount: 0 },
        scopeSpans: [
          {
            scope: { name: 'lakegate' },
            spans: spans.map((s, i) => ({
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: `eee19b7ec3c1b17${i}`,
              parentSpanId: 'eee19b7ec3c1b174',
              name: s.name,
              kind: s.kind ?? 2,
              startTimeUnixNano: s.start.toString(),
              endTimeUnixNano: s.end.toString(),
              attributes: [],
              droppedAttributesCount: 0,
              events: [],
              droppedEventsCount: 0,
              status: { code: 0 },
              links: [],
              droppedLinksCount: 0,
            })),
          },
        ],
      },
    ],
  };
}

const T0 = 1_795_000_000_000_000_000n; // ns since the epoch, beyond 2^53: must not lose precision

describe('parseOtlpJson', () => {
  it('reads service, name, kind, trace id, start and duration from string nanoseconds', () => {
    const spans = parseOtlpJson(exportRequest('lakegate-edge', [{ name: 'GenerateTemporaryVolumeCredentials', start: T0, end: T0 + 1_234_567n, kind: 2 }]));
    expect(spans).toHaveLength(1);
    const [span] = spans as [SpanRecord];
    expect(span).toMatchObject({ service: 'lakegate-edge', name: 'GenerateTemporaryVolumeCredentials', kind: 2, traceId: '5b8efff798038103d269b633813fc60c' });
    expect(span.durationMs).toBeCloseTo(1.234567, 9);
    expect(span.startMs).toBe(1_795_000_000_000);
  });

  it('accepts numeric nanoseconds too', () => {
    const body = { resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x', startTimeUnixNano: 2_000_000, endTimeUnixNano: 5_000_000 }] }] }] };
    expect(parseOtlpJson(body)).toEqual([{ service: 'unknown', name: 'x', kind: 0, traceId: '', startMs: 2, durationMs: 3 }]);
  });

  it.each([
    ['null', null],
    ['an empty object', {}],
    ['no scopeSpans', { resourceSpans: [{ resource: {} }] }],
    ['a span without a name', { resourceSpans: [{ scopeSpans: [{ spans: [{ startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] }],
    ['a span without an end', { resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x', startTimeUnixNano: '1' }] }] }] }],
    ['a span ending before it starts', { resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x', startTimeUnixNano: '5', endTimeUnixNano: '2' }] }] }] }],
    ['a non-decimal time', { resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x', startTimeUnixNano: '0x10', endTimeUnixNano: '20' }] }] }] }],
  ])('skips what is not a usable span: %s', (_case, body) => {
    expect(parseOtlpJson(body)).toEqual([]);
  });

  it('keeps spans of several resources apart', () => {
    const a = exportRequest('lakegate-authz', [{ name: 'nats serve lakegate.v1.vend', start: T0, end: T0 + 1n }]);
    const b = exportRequest('lakegate-minter-aws', [{ name: 'nats serve lakegate.v1.mint.aws', start: T0, end: T0 + 1n }]);
    const spans = parseOtlpJson({ resourceSpans: [...a.resourceSpans, ...b.resourceSpans] });
    expect(spans.map((s) => s.service)).toEqual(['lakegate-authz', 'lakegate-minter-aws']);
  });
});

describe('summarizeSpans', () => {
  const span = (service: string, name: string, durationMs: number): SpanRecord => ({ service, name, kind: 1, traceId: 't', startMs: 0, durationMs });

  it('groups by service and name, with count, mean, p50 and p95, longest mean first', () => {
    const spans = [
      ...[1, 2, 3, 4, 100].map((d) => span('edge', 'nats request lakegate.v1.vend', d)),
      ...[0.5, 0.5].map((d) => span('authz', 'nats serve lakegate.v1.vend', d)),
      span('other', 'nats request lakegate.v1.vend', 1000),
    ];
    expect(summarizeSpans(spans)).toEqual([
      { service: 'other', name: 'nats request lakegate.v1.vend', count: 1, meanMs: 1000, p50Ms: 1000, p95Ms: 1000 },
      { service: 'edge', name: 'nats request lakegate.v1.vend', count: 5, meanMs: 22, p50Ms: 3, p95Ms: 100 },
      { service: 'authz', name: 'nats serve lakegate.v1.vend', count: 2, meanMs: 0.5, p50Ms: 0.5, p95Ms: 0.5 },
    ]);
  });

  it('is empty for no spans', () => {
    expect(summarizeSpans([])).toEqual([]);
  });
});

describe('OtlpReceiver', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
  });
  afterAll(() => receiver.close());

  const post = (body: Buffer | string, headers: Record<string, string>) => fetch(receiver.url, { method: 'POST', headers, body });
  const ms = (n: number) => BigInt(n) * 1_000_000n;

  it('takes JSON, plain or gzipped, and returns spans by start time', async () => {
    const plain = exportRequest('lakegate-edge', [{ name: 'early', start: ms(1_000), end: ms(1_001) }, { name: 'inside', start: ms(2_000), end: ms(2_003) }]);
    const zipped = exportRequest('lakegate-authz', [{ name: 'late', start: ms(9_000), end: ms(9_001) }]);
    expect((await post(JSON.stringify(plain), { 'content-type': 'application/json' })).status).toBe(200);
    expect((await post(gzipSync(JSON.stringify(zipped)), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(200);
    expect(receiver.spansBetween(1_500, 9_000).map((s) => s.name)).toEqual(['inside', 'late']);
    expect(receiver.rejectedRequests).toBe(0);
  });

  it('refuses protobuf and broken JSON and counts them', async () => {
    expect((await post(Buffer.from([0x0a, 0x01]), { 'content-type': 'application/x-protobuf' })).status).toBe(415);
    expect((await post('{"resourceSpans": [', { 'content-type': 'application/json' })).status).toBe(400);
    expect(receiver.rejectedRequests).toBe(2);
  });
});
