/** IAM Credentials `projects/-/serviceAccounts/{email}:generateAccessToken`: request checks and answers. */

/** A Google API error (`{"error":{"code","message","status"}}`). */
export interface GoogleApiFault {
  readonly code: number;
  /** Canonical status name, e.g. PERMISSION_DENIED. */
  readonly status: string;
  readonly message: string;
}

export interface GenerateAccessTokenRequest {
  readonly targetServiceAccount: string;
  readonly scopes: readonly string[];
  readonly lifetimeSeconds: number;
  readonly delegates: readonly string[];
}

/** Scopes that let a caller use the IAM Credentials API. */
export const IAM_CALLER_SCOPES = ['https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/iam'] as const;
/** The API's default for `lifetime`. */
export const DEFAULT_IMPERSONATION_LIFETIME_SECONDS = 3600;

export const GENERATE_ACCESS_TOKEN_PATH = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+):generateAccessToken$/;

export const isGoogleApiFault = (value: unknown): value is GoogleApiFault =>
  typeof value === 'object' && value !== null && 'status' in value && 'message' in value && 'code' in value;

export const googleApiFaultBody = (fault: GoogleApiFault): string =>
  JSON.stringify({ error: { code: fault.code, message: fault.message, status: fault.status } });

const invalidArgument = (message: string): GoogleApiFault => ({ code: 400, status: 'INVALID_ARGUMENT', message });

export function permissionDenied(target: string): GoogleApiFault {
  return {
    code: 403,
    status: 'PERMISSION_DENIED',
    message: `Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist). (target ${target})`,
  };
}

/** Parses the JSON body; `lifetime` is a protobuf Duration string such as `3600s`. */
export function parseGenerateAccessToken(targetServiceAccount: string, body: string, maxLifetimeSeconds: number): GenerateAccessTokenRequest | GoogleApiFault {
  let json: unknown;
  try {
    json = body === '' ? {} : JSON.parse(body);
  } catch {
    return invalidArgument('Invalid JSON payload received.');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return invalidArgument('Invalid JSON payload received.');
  const { scope, lifetime, delegates } = json as Record<string, unknown>;
  if (!Array.isArray(scope) || scope.length === 0 || !scope.every((s) => typeof s === 'string' && s !== '')) {
    return invalidArgument('Scope must be non-empty.');
  }
  let lifetimeSeconds = DEFAULT_IMPERSONATION_LIFETIME_SECONDS;
  if (lifetime !== undefined) {
    const m = typeof lifetime === 'string' ? /^(\d+)(?:\.\d{1,9})?s$/.exec(lifetime) : null;
    if (!m) return invalidArgument(`Invalid value at 'lifetime' (type.googleapis.com/google.protobuf.Duration), "${String(lifetime)}"`);
    lifetimeSeconds = Number(m[1]);
  }
  if (lifetimeSeconds < 1 || lifetimeSeconds > maxLifetimeSeconds) {
    return invalidArgument(`The lifetime must be between 1s and ${maxLifetimeSeconds}s.`);
  }
  if (delegates !== undefined && (!Array.isArray(delegates) || !delegates.every((d) => typeof d === 'string'))) {
    return invalidArgument('Delegates must be a list of service account resource names.');
  }
  return { targetServiceAccount, scopes: scope as string[], lifetimeSeconds, delegates: (delegates as string[] | undefined) ?? [] };
}

/**
 * Whether `caller` may mint tokens for `target`. With no impersonation table every caller may
 * impersonate every service account; with one, the target must be listed and the caller among its
 * allowed callers (the `roles/iam.serviceAccountTokenCreator` binding).
 */
export function mayImpersonate(caller: string, target: string, table: Readonly<Record<string, readonly string[]>> | undefined): boolean {
  if (table === undefined) return true;
  const allowed = Object.hasOwn(table, target) ? table[target] : undefined;
  return allowed !== undefined && allowed.includes(caller);
}

/** `expireTime` as the API writes it: RFC 3339 UTC with whole seconds. */
export const rfc3339Seconds = (epochMs: number): string => new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
