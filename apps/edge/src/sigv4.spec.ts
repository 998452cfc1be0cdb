import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AccessKeyRecord } from '@lakegate/contracts';
import { checkSessionToken } from './sigv4.js';

const token = 'LKST-session-token';
const longTerm: AccessKeyRecord = { access_key_id: 'LKIAAAAAAAAAAAAAAAAA', principal: 'p', secret_sealed: 'x', created_at: 0 };
const temporary: AccessKeyRecord = {
  access_key_id: 'LSIAAAAAAAAAAAAAAAAA',
  principal: 'p',
  secret_sealed: 'x',
  created_at: 0,
  session_token_sha256: createHash('sha256').update(token).digest('hex'),
  expires_at: 1_000,
};
const code = (f: () => void) => {
  try {
    f();
  } catch (error) {
    return (error as { awsCode: string }).awsCode;
  }
  return 'accepted';
};

describe('checkSessionToken', () => {
  it('takes no token with a long-term key', () => {
    expect(code(() => checkSessionToken(longTerm, undefined, 0))).toBe('accepted');
    expect(code(() => checkSessionToken(longTerm, token, 0))).toBe('UnrecognizedClientException');
  });

  it('needs the temporary key’s own token, before it expires', () => {
    expect(code(() => checkSessionToken(temporary, token, 999))).toBe('accepted');
    expect(code(() => checkSessionToken(temporary, undefined, 999))).toBe('UnrecognizedClientException');
    expect(code(() => checkSessionToken(temporary, `${token}x`, 999))).toBe('UnrecognizedClientException');
    expect(code(() => checkSessionToken(temporary, token, 1_000))).toBe('ExpiredTokenException');
  });
});
