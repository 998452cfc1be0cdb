/**
 * The one error catalog. Every failure that leaves a service carries one of these codes;
 * each API face maps codes to its own wire errors. Unknown failures become INTERNAL:
 * the cause is logged, never sent.
 */
export const ERROR_CATALOG = {
  INVALID_ARGUMENT: { status: 400, retryable: false, message: 'The request is not valid.' },
  UNAUTHENTICATED: { status: 401, retryable: false, message: 'The caller could not be authenticated.' },
  PERMISSION_DENIED: { status: 403, retryable: false, message: 'The caller lacks a privilege this request needs.' },
  NOT_FOUND: { status: 404, retryable: false, message: 'The resource does not exist.' },
  FAILED_PRECONDITION: { status: 400, retryable: false, message: 'The system is not in a state this request needs.' },
  ALREADY_EXISTS: { status: 409, retryable: false, message: 'The resource already exists.' },
  CONFLICT: { status: 409, retryable: true, message: 'The resource changed concurrently; read it again and retry.' },
  RESOURCE_EXHAUSTED: { status: 429, retryable: true, message: 'Too many requests.' },
  ORDER_REJECTED: { status: 500, retryable: false, message: 'A mint order failed verification.' },
  UPSTREAM_DENIED: { status: 502, retryable: false, message: 'The cloud provider refused to issue the credential.' },
  UPSTREAM_UNAVAILABLE: { status: 503, retryable: true, message: 'The cloud provider is unavailable.' },
  AUDIT_UNAVAILABLE: { status: 503, retryable: true, message: 'The audit log could not record the call; nothing was issued.' },
  SERVICE_UNAVAILABLE: { status: 503, retryable: true, message: 'A lakegate service is unavailable.' },
  DEADLINE_EXCEEDED: { status: 504, retryable: true, message: 'The request did not complete in time.' },
  NOT_IMPLEMENTED: { status: 501, retryable: false, message: 'This operation is not implemented.' },
  INTERNAL: { status: 500, retryable: false, message: 'Internal error.' },
} as const satisfies Record<string, { status: number; retryable: boolean; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;
export const ERROR_CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.hasOwn(ERROR_CATALOG, value);

/** The serialisable form of an error, as it travels on NATS. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** A failure with a catalog code. `message` is safe to show to the caller; `cause` never is. */
export class LakegateError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(message ?? ERROR_CATALOG[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LakegateError';
    this.code = code;
    this.details = options?.details;
  }

  get status(): number {
    return ERROR_CATALOG[this.code].status;
  }

  get retryable(): boolean {
    return ERROR_CATALOG[this.code].retryable;
  }

  toBody(): ErrorBody {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }

  static fromBody(body: ErrorBody): LakegateError {
    return new LakegateError(isErrorCode(body.code) ? body.code : 'INTERNAL', body.message, body.details ? { details: body.details } : undefined);
  }
}

/** Turns anything thrown into a catalog error; an unknown error's message is not exposed. */
export const toLakegateError = (error: unknown): LakegateError =>
  error instanceof LakegateError ? error : new LakegateError('INTERNAL', undefined, { cause: error });
