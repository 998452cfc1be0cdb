import { createHash, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { FastifyRequest } from 'fastify';
import { LakegateError } from '@lakegate/contracts';
import { openSecret, type AssertedIdentity } from '@lakegate/trust';
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
  const secret = record && !record.revoked && ctx.view.state.principals.has(record.principal) ? openSecret(ctx.accessKeySealKeys, record.secret_sealed, accessKeyId) : undefined;
  if (!record || secret === undefined) throw new SigV4Error('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
  if (scopeService !== service) throw new SigV4Error('InvalidSignatureException', `Credential should be scoped to correct service: '${service}'.`, 403);
  if (region !== ctx.region) throw new SigV4Error('InvalidSignatureException', `Credential should be scoped to a valid region: '${ctx.region}'.`, 403);
  if (request.headers['x-amz-security-token'] !== undefined) {
    throw new SigV4Error('UnrecognizedClientException', 'Session tokens are not accepted: sign with a long-term access key lakegate issued.', 403);
  }
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
  const signer = new SignatureV4({ credentials: { accessKeyId, secretAccessKey: secret }, region, service, sha256: Sha256, applyChecksum: false, uriEscapePath: true });
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

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received, for SigV4's payload hash. */
    rawBody?: Buffer;
  }
}
