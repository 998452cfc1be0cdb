import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MintOrder, VendRequest } from '@lakegate/contracts';
import { openSecret, sealSecret, assertIdentity, ensureKeyFiles, MintOrderVerifier, readSigningKey, readSymmetricKey, readVerifyKey, signMintOrder, verifyAssertion, verifyKeyFrom } from './index.js';

const key = { kid: 'k1', key: randomBytes(32) };
const base: Omit<VendRequest, 'caller'> = {
  v: 1, requestId: 'req-12345678', face: 'unity-catalog', operation: 'op', target: { kind: 'volume', volumeId: 'v1' }, access: 'read', source: {},
};

describe('identity assertions', () => {
  const signed = assertIdentity(key, { principal: 'ana', authMethod: 'bearer', credentialId: 't1' }, base, 1_000);

  it('verify with the same key and name the principal', () => {
    expect(verifyAssertion([key], signed, 1_500)).toEqual({ principal: 'ana', authMethod: 'bearer', credentialId: 't1' });
  });

  it.each([
    ['another target', { ...signed, target: { kind: 'volume' as const, volumeId: 'v2' } }],
    ['write access', { ...signed, access: 'write' as const }],
    ['another principal', { ...signed, caller: { ...signed.caller, principal: 'root' } }],
    ['another key id', { ...signed, caller: { ...signed.caller, keyId: 'k2' } }],
    ['a forged mac', { ...signed, caller: { ...signed.caller, mac: signed.caller.mac.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) } }],
    ['a raw token', { ...signed, caller: { kind: 'token' as const, token: 'x'.repeat(20) } }],
  ])('refuse %s', (_what, tampered) => {
    expect(() => verifyAssertion([key], tampered as VendRequest, 1_500)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });

  it('refuse a stale assertion and one from the future, and one made with another key', () => {
    expect(() => verifyAssertion([key], signed, 1_000 + 31_000)).toThrow(/expired/);
    expect(() => verifyAssertion([key], signed, 1_000 - 10_000)).toThrow(/expired/);
    expect(() => verifyAssertion([{ kid: 'k1', key: randomBytes(32) }], signed, 1_500)).toThrow(/does not verify/);
  });
});

describe('mint orders', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signingKey = { kid: verifyKeyFrom(publicKey).kid, privateKey };
  const order: MintOrder = {
    v: 1, orderId: 'o1', requestId: 'r1', replyTo: '_INBOX.abc', issuedAt: 1_000, expiresAt: 11_000, cloud: 'aws', face: 'nats', operation: 'op', principal: 'ana',
    locations: [{ url: 's3://bkt/p', access: 'read' }], storageCredential: { name: 'c', revision: 1, aws: { roleArn: 'arn:aws:iam::1:role/r' } },
    audit: { userIdentity: {}, requestParameters: {}, resources: [] },
  };
  const verifier = (clock = 2_000) => new MintOrderVerifier({ cloud: 'aws', keys: [verifyKeyFrom(publicKey)], clock: () => clock });

  it('accept a valid order once, and refuse its replay', () => {
    const v = verifier();
    const signed = signMintOrder(signingKey, order);
    expect(v.verify(signed, '_INBOX.abc')).toEqual(order);
    expect(() => v.verify(signed, '_INBOX.abc')).toThrow(/already used/);
  });

  it.each([
    ['a widened scope', (s: ReturnType<typeof signMintOrder>) => ({ ...s, order: { ...s.order, locations: [{ url: 's3://bkt', access: 'write' as const }] } }), '_INBOX.abc', /signature/],
    ['another reply subject', (s: ReturnType<typeof signMintOrder>) => s, '_INBOX.attacker', /reply subject/],
    ['an unknown key', (s: ReturnType<typeof signMintOrder>) => ({ ...s, kid: 'other' }), '_INBOX.abc', /unknown key/],
    ['garbage signature', (s: ReturnType<typeof signMintOrder>) => ({ ...s, sig: '!!' }), '_INBOX.abc', /signature/],
  ])('refuse %s', (_what, tamper, reply, why) => {
    expect(() => verifier().verify(tamper(signMintOrder(signingKey, order)), reply)).toThrow(why);
  });

  it('refuse expired orders, orders from the future and orders for another cloud', () => {
    expect(() => verifier(11_000).verify(signMintOrder(signingKey, order), '_INBOX.abc')).toThrow(/expired/);
    expect(() => verifier(-10_000).verify(signMintOrder(signingKey, order), '_INBOX.abc')).toThrow(/future/);
    expect(() => verifier().verify(signMintOrder(signingKey, { ...order, cloud: 'gcp' }), '_INBOX.abc')).toThrow(/for gcp/);
  });
});

describe('key files', () => {
  it('are created once with private permissions and read back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lakegate-keys-'));
    const paths = await ensureKeyFiles(dir);
    const again = await ensureKeyFiles(dir);
    expect(await readFile(again.assertionAuthz, 'utf8')).toBe(await readFile(paths.assertionAuthz, 'utf8'));
    expect((await stat(paths.orderSigning)).mode & 0o077).toBe(0);
    expect((await stat(paths.auditHmac)).mode & 0o077).toBe(0);
    const signing = await readSigningKey(paths.orderSigning);
    const verify = await readVerifyKey(paths.orderVerify);
    expect(signing.kid).toBe(verify.kid);
    expect((await readSymmetricKey(paths.assertionAuthz)).key).toHaveLength(32);
    expect((await readSymmetricKey(paths.assertionAuthz)).kid).not.toBe((await readSymmetricKey(paths.assertionCatalog)).kid);
  });
});

describe('sealed secrets', () => {
  const k = { kid: 'seal1', key: randomBytes(32) };
  it('round-trip, and refuse another record, another key or altered data', () => {
    const sealed = sealSecret(k, 'wJalrXUtnFEMI/K7MDENG', 'LKIAAAAAAAAAAAAAAAAA');
    expect(sealed).not.toContain('wJalr');
    expect(openSecret([k], sealed, 'LKIAAAAAAAAAAAAAAAAA')).toBe('wJalrXUtnFEMI/K7MDENG');
    expect(openSecret([k], sealed, 'LKIABBBBBBBBBBBBBBBB')).toBeUndefined();
    expect(openSecret([{ kid: 'seal1', key: randomBytes(32) }], sealed, 'LKIAAAAAAAAAAAAAAAAA')).toBeUndefined();
    const parts = sealed.split('.');
    parts[4] = Buffer.from('x').toString('base64url');
    expect(openSecret([k], parts.join('.'), 'LKIAAAAAAAAAAAAAAAAA')).toBeUndefined();
  });
});

describe('replay protection over time', () => {
  it('keeps refusing a replay while the order lives, and forgets ids once expired', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const key = { kid: verifyKeyFrom(publicKey).kid, privateKey };
    let now = 1_000;
    const v = new MintOrderVerifier({ cloud: 'aws', keys: [verifyKeyFrom(publicKey)], clock: () => now });
    const make = (id: string) =>
      signMintOrder(key, {
        v: 1, orderId: id, requestId: 'r', replyTo: '_INBOX.a', issuedAt: now, expiresAt: now + 10_000, cloud: 'aws', face: 'nats', operation: 'op', principal: 'p',
        locations: [{ url: 's3://bkt/p', access: 'read' }], storageCredential: { name: 'c', revision: 1 }, audit: { userIdentity: {}, requestParameters: {}, resources: [] },
      });
    const first = make('o-1');
    v.verify(first, '_INBOX.a');
    for (let i = 0; i < 5000; i++) {
      now += 1;
      v.verify(make(`o-${i + 2}`), '_INBOX.a');
    }
    expect(() => v.verify(first, '_INBOX.a')).toThrow(/already used|expired/);
    now += 20_000;
    expect(() => v.verify(first, '_INBOX.a')).toThrow(/expired/);
  });
});
