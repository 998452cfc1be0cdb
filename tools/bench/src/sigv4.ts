import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '@lakegate/trust';

/** An access key lakegate issued (`POST /api/v1/principals/{name}/access-keys`). */
export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** One request to sign, exactly as the load generator will send it. */
export interface SignedRequestSpec {
  /** The edge's base URL; its host (with the port) is the signed `host` header. */
  url: string;
  method: 'GET' | 'POST';
  path: string;
  /** Headers to sign besides `host` and `x-amz-date` (lower-case names). */
  headers: Record<string, string>;
  body: string;
  region: string;
  service: string;
  credentials: AccessKey;
}

/**
 * The headers to send for a SigV4-signed request (AWS Signature Version 4, as `@aws-sdk` clients
 * sign): the given ones plus `host`, `x-amz-date` and `authorization`. `host` is set explicitly so
 * that the load generator sends exactly what was signed.
 */
export async function signedHeaders(spec: SignedRequestSpec, signingDate: Date = new Date()): Promise<Record<string, string>> {
  const host = new URL(spec.url).host;
  const signer = new SignatureV4({ credentials: spec.credentials, region: spec.region, service: spec.service, sha256: NodeSha256, applyChecksum: false, uriEscapePath: true });
  const headers: Record<string, string> = { ...spec.headers, host };
  const signed = await signer.sign(
    { method: spec.method, protocol: 'http:', hostname: host, path: spec.path, headers, ...(spec.body ? { body: spec.body } : {}) },
    { signingDate },
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) out[name.toLowerCase()] = String(value);
  return out;
}

/**
 * How long one signature is used for. The edge accepts a request whose `x-amz-date` is within 15
 * minutes of its clock; a load run re-uses the headers it was signed with (signing each request would
 * put the load generator's CPU on the same cores as the system), so a run that may last longer than
 * this re-signs as it goes.
 */
export const SIGNATURE_REUSE_MS = 5 * 60_000;

/** Signed headers that are re-signed every `refreshMs` in the background, for runs longer than one signature may live. */
export class RollingSignature {
  private timer: NodeJS.Timeout | undefined;
  /** The last refresh that failed (the previous signature stays in use until it expires at the edge). */
  lastError: unknown;

  private constructor(
    private readonly spec: SignedRequestSpec,
    private current: Record<string, string>,
  ) {}

  static async start(spec: SignedRequestSpec, refreshMs = 60_000): Promise<RollingSignature> {
    const rolling = new RollingSignature(spec, await signedHeaders(spec));
    rolling.timer = setInterval(() => {
      signedHeaders(rolling.spec).then(
        (headers) => {
          rolling.current = headers;
        },
        (error: unknown) => {
          rolling.lastError = error;
        },
      );
    }, refreshMs);
    rolling.timer.unref();
    return rolling;
  }

  get headers(): Record<string, string> {
    return this.current;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
