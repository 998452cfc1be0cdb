import { createHash, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/** A request as received, with lower-case header names. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** An STS-style rejection: HTTP status, AWS error code, message. */
export interface StsFault {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export type SigV4Result =
  | { readonly ok: true; readonly accessKeyId: string; readonly region: string }
  | { readonly ok: false; readonly accessKeyId?: string; readonly region?: string; readonly fault: StsFault };

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const fault = (status: number, code: string, message: string): StsFault => ({ status, code, message });

/**
 * Verifies an AWS Signature Version 4 `Authorization` header the way AWS does: recomputes the
 * signature with the secret of the claimed access key over the headers the caller says it signed,
 * and compares in constant time. Any region is accepted; the service must be `service`.
 */
export async function verifySigV4(
  request: ReceivedRequest,
  secretFor: (accessKeyId: string) => string | undefined,
  options: { readonly service: string; readonly now: Date },
): Promise<SigV4Result> {
  const authorization = request.headers['authorization'];
  if (authorization === undefined) return { ok: false, fault: fault(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token') };
  const m = AUTH.exec(authorization.trim());
  if (!m) return { ok: false, fault: fault(400, 'IncompleteSignature', 'Authorization header requires Credential, SignedHeaders and Signature.') };
  const [, credential = '', signedHeaderList = '', signature = ''] = m;

  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    return { ok: false, fault: fault(400, 'IncompleteSignature', `Credential '${credential}' is not <key>/<date>/<region>/<service>/aws4_request.`) };
  }
  const [accessKeyId = '', scopeDate = '', region = '', service = ''] = scope;
  const secret = secretFor(accessKeyId);
  if (secret === undefined) {
    return { ok: false, accessKeyId, region, fault: fault(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.') };
  }
  if (service !== options.service) {
    return { ok: false, accessKeyId, region, fault: fault(403, 'SignatureDoesNotMatch', `Credential should be scoped to correct service: '${options.service}'.`) };
  }
  if (request.headers['x-amz-security-token'] !== undefined) {
    return { ok: false, accessKeyId, region, fault: fault(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.') };
  }

  const amzDate = request.headers['x-amz-date'] ?? '';
  const d = AMZ_DATE.exec(amzDate)?.slice(1).map(Number);
  if (!d) return { ok: false, accessKeyId, region, fault: fault(400, 'IncompleteSignature', 'The request must carry an X-Amz-Date header (YYYYMMDDTHHMMSSZ).') };
  const [year = 0, month = 1, day = 0, hour = 0, minute = 0, second = 0] = d;
  const signingDate = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (scopeDate !== amzDate.slice(0, 8)) {
    return { ok: false, accessKeyId, region, fault: fault(403, 'SignatureDoesNotMatch', `Credential should be scoped to a valid date: '${amzDate.slice(0, 8)}'.`) };
  }
  if (Math.abs(options.now.getTime() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
    return {
      ok: false,
      accessKeyId,
      region,
      fault: fault(400, 'RequestExpired', `Request timestamp ${amzDate} is more than 15 minutes away from the server time ${options.now.toISOString()}.`),
    };
  }

  const signed = signedHeaderList.split(';');
  if (!signed.includes('host')) return { ok: false, accessKeyId, region, fault: fault(403, 'SignatureDoesNotMatch', "SignedHeaders must include 'host'.") };
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = request.headers[name];
    if (value === undefined) return { ok: false, accessKeyId, region, fault: fault(403, 'SignatureDoesNotMatch', `Signed header '${name}' is missing.`) };
    headers[name] = value;
  }
  // The signer trusts x-amz-content-sha256 when present; the body must really have that hash.
  const claimedHash = request.headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && claimedHash !== createHash('sha256').update(request.body).digest('hex')) {
    return { ok: false, accessKeyId, region, fault: fault(400, 'XAmzContentSHA256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.') };
  }
  const signer = new SignatureV4({ credentials: { accessKeyId, secretAccessKey: secret }, region, service, sha256: Sha256, applyChecksum: false });
  const resigned = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: headers['host'] ?? '', path: request.path, query: { ...request.query }, headers, body: request.body },
    { signingDate, signableHeaders: new Set(signed) },
  );
  const expected = AUTH.exec(String(resigned.headers['authorization'] ?? ''));
  const same =
    expected !== null &&
    expected[2] === signedHeaderList &&
    timingSafeEqual(Buffer.from(expected[3] ?? '', 'hex'), Buffer.from(signature, 'hex'));
  if (!same) {
    return {
      ok: false,
      accessKeyId,
      region,
      fault: fault(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.'),
    };
  }
  return { ok: true, accessKeyId, region };
}
