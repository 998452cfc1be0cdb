import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createLogger, startTelemetry, withSpan, type Telemetry } from './index.js';

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
  });
  return { stream, lines };
}

describe('telemetry', () => {
  let telemetry: Telemetry;
  const spans = new InMemorySpanExporter();
  beforeAll(() => {
    telemetry = startTelemetry({ service: 'test', exporters: [spans] });
  });
  afterAll(() => telemetry.shutdown());

  it('removes credential fields from log lines, however they are nested', async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ service: 'svc', level: 'info', destination: stream });
    logger.info({ secretAccessKey: 'S1', credential: { sessionToken: 'S2' }, reply: { aws: { sessionToken: 'S3' } }, headers: { authorization: 'Bearer S4' }, ok: 'visible' }, 'hello');
    await new Promise((r) => setImmediate(r));
    const text = JSON.stringify(lines);
    for (const secret of ['S1', 'S2', 'S3', 'S4']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({ service: 'svc', ok: 'visible', msg: 'hello' });
  });

  it('stamps log lines with the active trace and span ids, and exports the span', async () => {
    const { stream, lines } = capture();
    const logger = createLogger({ service: 'svc', level: 'info', destination: stream });
    const traceId = await withSpan('unit', {}, async (span) => {
      logger.info('inside');
      return span.spanContext().traceId;
    });
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({ trace_id: traceId });
    expect(spans.getFinishedSpans().map((s) => s.name)).toContain('unit');
  });

  it('marks a span as failed when its function throws', async () => {
    await expect(withSpan('failing', {}, async () => { throw new Error('x'); })).rejects.toThrow('x');
    expect(spans.getFinishedSpans().find((s) => s.name === 'failing')?.status.code).toBe(2);
  });
});
