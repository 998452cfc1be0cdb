import { pino, type Logger, type LoggerOptions } from 'pino';
import { trace } from '@opentelemetry/api';

export type { Logger } from 'pino';

/**
 * Paths that could hold a secret. pino removes them before anything is written; the rest of
 * the code never logs credentials in the first place, this is the second line.
 */
export const REDACTED_LOG_PATHS = [
  'secretAccessKey', 'sessionToken', 'token', 'sasToken', 'oauthToken', 'password', 'authorization', 'mac', 'sig',
  '*.secretAccessKey', '*.sessionToken', '*.token', '*.sasToken', '*.oauthToken', '*.password', '*.authorization', '*.mac', '*.sig',
  '*.*.secretAccessKey', '*.*.sessionToken', '*.*.token', '*.*.sasToken', '*.*.oauthToken',
  'req.headers.authorization', 'headers.authorization', 'credential', '*.credential',
];

export interface LoggerSettings {
  service: string;
  level: string;
  /** Where to write; defaults to stdout. Tests pass a stream to inspect what was written. */
  destination?: NodeJS.WritableStream;
}

/** A pino logger that tags every line with the service and the active trace and span ids. */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: { service: settings.service },
    redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const ctx = span.spanContext();
      return { trace_id: ctx.traceId, span_id: ctx.spanId };
    },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
