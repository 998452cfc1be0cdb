import { createHash, createHmac } from 'node:crypto';

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;
const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * SigV4 written out from the specification with node:crypto alone (no @smithy), for checking what
 * the bench signs: the signature of a request as a server receives it. Paths here need no escaping
 * and carry no query string.
 */
export function sigV4Signature(input: {
  method: string;
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  signedHeaders: string[];
  body: string | Buffer;
  secretAccessKey: string;
  date: string;
  region: string;
  service: string;
}): string {
  const names = [...input.signedHeaders].sort();
  const canonicalHeaders = names.map((n) => `${n}:${(input.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [input.method, input.path, '', canonicalHeaders, names.join(';'), sha256Hex(input.body)].join('\n');
  const amzDate = input.headers['x-amz-date'] ?? '';
  const scope = `${input.date}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${input.secretAccessKey}`, input.date), input.region), input.service), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/** Checks a received request the way the edge does: the signature over the headers it names, recomputed from what arrived. */
export function verifySigV4(
  request: { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: string | Buffer },
  keys: Record<string, string>,
): { ok: true; accessKeyId: string } | { ok: false; why: string } {
  const m = AUTH.exec(String(request.headers['authorization'] ?? ''));
  if (!m) return { ok: false, why: 'no SigV4 authorization header' };
  const [, credential = '', signed = '', signature = ''] = m;
  const [accessKeyId = '', date = '', region = '', service = ''] = credential.split('/');
  const secret = keys[accessKeyId];
  if (!secret) return { ok: false, why: `unknown key ${accessKeyId}` };
  const headers: Record<string, string> = {};
  for (const name of signed.split(';')) {
    const value = request.headers[name];
    if (value === undefined) return { ok: false, why: `signed header ${name} is missing` };
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const expected = sigV4Signature({ method: request.method, path: request.path, headers, signedHeaders: signed.split(';'), body: request.body, secretAccessKey: secret, date, region, service });
  return expected === signature ? { ok: true, accessKeyId } : { ok: false, why: 'signature mismatch' };
}
