/** NATS and HTTP header names. */
export const HEADERS = {
  requestId: 'Lakegate-Request-Id',
  errorCode: 'Lakegate-Error-Code',
  msgId: 'Nats-Msg-Id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;
