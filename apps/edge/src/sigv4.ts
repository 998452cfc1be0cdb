import { createHash, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { FastifyRequest } from 'fastify';
import { LakegateError, type AccessKeyRecord } from '@lakegate/contracts';
import { NodeSha256, openSecret, type AssertedIdentity } from '@lakegate/trust';
import type { EdgeContext } from './edge-context.js';

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** A SigV4 failure, named as AWS names it (the face sends it as `__type`). */
export class SigV4Error extends LakegateError {
  constructor(
    readonly awsCode: string,
    message: string,
    readonly httpStatus: number,
  ) {
    super(awsCode === 'RequestExpired' || awsCode === 'IncompleteSignature' ? 'INVALID_ARGUMENT' : 'UNAUTHENTICATED', message, { details: { awsException: awsCode } });
  }
}

/**
 * Verifies an AWS Signature Version 4 request signed with an access key lakegate issued: recomputes
 * the signature over the headers the caller signed (and the body's hash), with the key's secret
 * opened from its sealed form, and compares in constant time. 15 minutes of clock skew at most.
 */
export async function authenticateSigV4(ctx: EdgeContext, request: FastifyRequest, service: string): Promise<AssertedIdentity> {
  const header = request.headers.authorization;
  if (!header) throw new SigV4Error('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
  const m = AUTH.exec(header.trim());
  if (!m) throw new SigV4Error('IncompleteSignature', 'Authorization header requires Credential, SignedHeaders and Signature.', 400);
  const [, credential = '', signedHeaderList = '', signature = ''] = m;
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') throw new SigV4Error('IncompleteSignature', 'The credential scope is not <key>/<date>/<region>/<service>/aws4_request.', 400);
  const [accessKeyId = '', scopeDate = '', region = '', scopeService = ''] = scope;
  const record = ctx.view.state.accessKeys.get(accessKeyId)?.value;
  const live = record && !record.revoked && ctx.view.state.principals.has(record.principal);
  if (!record || !live) throw new SigV4Error('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
  checkSessionToken(record, request.headers['x-amz-security-token'], ctx.clock());
  if (scopeService !== service) throw new SigV4Error('InvalidSignatureException', `Credential should be scoped to correct service: '${service}'.`, 403);
  if (region !== ctx.region) throw new SigV4Error('InvalidSignatureException', `Credential should be scoped to a valid region: '${ctx.region}'.`, 403);
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const d = AMZ_DATE.exec(amzDate)?.slice(1).map(Number);
  if (!d) throw new SigV4Error('IncompleteSignature', 'The request must carry an X-Amz-Date header (YYYYMMDDTHHMMSSZ).', 400);
  const [year = 0, month = 1, day = 0, hour = 0, minute = 0, second = 0] = d;
  const signingDate = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (scopeDate !== amzDate.slice(0, 8)) throw new SigV4Error('InvalidSignatureException', `Credential should be scoped to a valid date: '${amzDate.slice(0, 8)}'.`, 403);
  if (Math.abs(ctx.clock() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw new SigV4Error('InvalidSignatureException', `Signature expired: ${amzDate} is more than 15 minutes away from the server time.`, 403);
  }
  const signed = signedHeaderList.split(';');
  if (!signed.includes('host')) throw new SigV4Error('InvalidSignatureException', "SignedHeaders must include 'host'.", 403);
  if (record.session_token_sha256 && !signed.includes('x-amz-security-token')) throw new SigV4Error('InvalidSignatureException', "SignedHeaders must include 'x-amz-security-token'.", 403);
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = request.headers[name];
    if (value === undefined) throw new SigV4Error('InvalidSignatureException', `Signed header '${name}' is missing.`, 403);
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const body = request.rawBody ?? Buffer.alloc(0);
  const claimedHash = request.headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && claimedHash !== 'UNSIGNED-PAYLOAD' && claimedHash !== createHash('sha256').update(body).digest('hex')) {
    throw new SigV4Error('InvalidSignatureException', 'The provided x-amz-content-sha256 header does not match what was computed.', 403);
  }
  const url = new URL(request.url, 'http://placeholder');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const existing = query[k];
    query[k] = existing === undefined ? v : Array.isArray(existing) ? [...existing, v] : [existing, v];
  }
  const signer = signerFor(ctx, record, region, service);
  const resigned = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: headers['host'] ?? '', path: decodeURIComponent(url.pathname), query, headers, body },
    { signingDate, signableHeaders: new Set(signed) },
  );
  const expected = AUTH.exec(String(resigned.headers['authorization'] ?? ''));
  const same = expected !== null && expected[2] === signedHeaderList && timingSafeEqual(Buffer.from(expected[3] ?? '', 'hex'), Buffer.from(signature, 'hex'));
  if (!same) {
    throw new SigV4Error(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      403,
    );
  }
  ctx.rateLimiter.take(record.principal);
  return { principal: record.principal, authMethod: 'sigv4', credentialId: accessKeyId };
}

/**
 * A temporary key (`LSIA…`) needs its own session token, unexpired; a long-term key takes none. The
 * token is compared by its SHA-256, in constant time.
 */
export function checkSessionToken(record: AccessKeyRecord, header: string | string[] | undefined, now: number): void {
  const token = Array.isArray(header) ? header.join(',') : header;
  if (!record.session_token_sha256) {
    if (token !== undefined) throw new SigV4Error('UnrecognizedClientException', 'The security token included in the request is invalid: this access key takes no session token.', 403);
    return;
  }
  if (token === undefined) throw new SigV4Error('UnrecognizedClientException', 'The security token included in the request is invalid: temporary credentials need their session token.', 403);
  const presented = createHash('sha256').update(token).digest();
  if (!timingSafeEqual(presented, Buffer.from(record.session_token_sha256, 'hex'))) {
    throw new SigV4Error('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
  }
  if (record.expires_at !== undefined && now >= record.expires_at) throw new SigV4Error('ExpiredTokenException', 'The security token included in the request is expired.', 403);
}

/**
 * Signers by key, region and service, so each keeps its derived signing keys (one per day) instead
 * of deriving them, and opening the sealed secret, on every request. A changed record (its sealed
 * secret) gets a new signer; revocation is checked before a signer is used.
 */
const signers = new Map<string, { sealed: string; signer: SignatureV4 }>();
const MAX_SIGNERS = 10_000;

function signerFor(ctx: EdgeContext, record: AccessKeyRecord, region: string, service: string): SignatureV4 {
  const key = `${record.access_key_id}/${region}/${service}`;
  const cached = signers.get(key);
  if (cached && cached.sealed === record.secret_sealed) return cached.signer;
  const secretAccessKey = openSecret(ctx.accessKeySealKeys, record.secret_sealed, record.access_key_id);
  if (secretAccessKey === undefined) throw new SigV4Error('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
  const signer = new SignatureV4({ credentials: { accessKeyId: record.access_key_id, secretAccessKey }, region, service, sha256: NodeSha256, applyChecksum: false, uriEscapePath: true });
  if (signers.size >= MAX_SIGNERS) signers.delete(signers.keys().next().value as string);
  signers.set(key, { sealed: record.secret_sealed, signer });
  return signer;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received, for SigV4's payload hash. */
    rawBody?: Buffer;
  }
}
