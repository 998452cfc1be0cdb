import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CODECS, HEADERS, STREAMS, SUBJECTS, type MintOrder } from '@lakegate/contracts';
import { AuditPublisher, AuditRedactor, ensureAuditStream } from '@lakegate/audit';
import { connectNats, createInbox, jetstreamManager, headers, type NatsConnection, type Service } from '@lakegate/platform-nats';
import { createLogger } from '@lakegate/telemetry';
import { startNatsServer, type NatsServerHandle } from '@lakegate/testkit';
import { MintOrderVerifier, signMintOrder, verifyKeyFrom } from '@lakegate/trust';
import { CredentialCache } from './credential-cache.js';
import type { CredentialMinter, MintInput } from './minter.port.js';
import { startMinterService } from './minter.service.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signingKey = { kid: verifyKeyFrom(publicKey).kid, privateKey };

class FakeMinter implements CredentialMinter {
  readonly capabilities = { cloud: 'aws' as const, minDurationSeconds: 900, maxDurationSeconds: 3600, defaultDurationSeconds: 3600, revocable: false };
  readonly inputs: MintInput[] = [];
  async mint(input: MintInput) {
    this.inputs.push(input);
    return { credential: { cloud: 'aws' as const, aws: { accessKeyId: 'ASIAFAKE', secretAccessKey: `secret-${randomUUID()}`, sessionToken: 'token' }, expiresAt: Date.now() + 3_600_000 }, upstreamRequestId: 'up-1' };
  }
}

describe('minter service on a real nats-server', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let service: Service | undefined;
  let minter: FakeMinter;

  const order = (replyTo: string, overrides: Partial<MintOrder> = {}): MintOrder => ({
    v: 1, orderId: randomUUID(), requestId: `req-${randomUUID()}`, replyTo, issuedAt: Date.now(), expiresAt: Date.now() + 10_000, cloud: 'aws', face: 'nats',
    operation: 'GenerateTemporaryVolumeCredentials', principal: 'ana', locations: [{ url: 's3://bkt/p', access: 'read' }],
    storageCredential: { name: 'c', revision: 1, aws: { roleArn: 'arn:aws:iam::123456789012:role/r' } }, durationSeconds: 99_999,
    audit: { userIdentity: { type: 'LakegatePrincipal', userName: 'ana' }, requestParameters: { volume_id: 'v' }, resources: [] }, ...overrides,
  });

  /** Sends an order the way authz does: published with the caller's own inbox as the reply subject. */
  const send = async (make: (inbox: string) => Uint8Array) => {
    const inbox = createInbox();
    const sub = nc.subscribe(inbox, { max: 1 });
    const h = headers();
    h.set(HEADERS.requestId, 'req-test-0001');
    nc.publish(SUBJECTS.mint('aws'), make(inbox), { reply: inbox, headers: h });
    for await (const m of sub) return CODECS.vendReply.decode(m.data);
    throw new Error('no reply');
  };

  const start = async () => {
    minter = new FakeMinter();
    service = await startMinterService({
      nc, minter, logger, version: '0.0.1', region: 'us-east-1',
      verifier: new MintOrderVerifier({ cloud: 'aws', keys: [verifyKeyFrom(publicKey)] }),
      cache: new CredentialCache({ maxEntries: 10, minRemainingMs: 0 }),
      audit: new AuditPublisher(nc, 'minter', 1_000),
      redactor: new AuditRedactor(randomBytes(32)),
    });
  };

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectNats({ servers: server.url, name: 'test' }, logger);
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });
  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });

  it('fails closed: with no audit stream to acknowledge the record, no credential is returned', async () => {
    await start();
    const reply = await send((inbox) => CODECS.signedMintOrder.encode(signMintOrder(signingKey, order(inbox))));
    expect(reply).toMatchObject({ ok: false, error: { code: 'AUDIT_UNAVAILABLE' } });
    expect(JSON.stringify(reply)).not.toContain('secret-');
  });

  it('mints with a clamped duration, audits, then answers the caller inbox; a second order hits the cache', async () => {
    await ensureAuditStream(nc, { maxAgeDays: 1 });
    await start();
    const first = await send((inbox) => CODECS.signedMintOrder.encode(signMintOrder(signingKey, order(inbox))));
    const second = await send((inbox) => CODECS.signedMintOrder.encode(signMintOrder(signingKey, order(inbox))));
    expect(first).toMatchObject({ ok: true, cacheHit: false, locations: [{ url: 's3://bkt/p', access: 'read' }] });
    expect(second).toMatchObject({ ok: true, cacheHit: true });
    expect(minter.inputs).toHaveLength(1);
    expect(minter.inputs[0]!.durationSeconds).toBe(3600);
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(STREAMS.audit);
    const last = await jsm.streams.getMessage(STREAMS.audit, { seq: info.state.last_seq });
    const record = CODECS.auditRecord.decode(last!.data);
    expect(record).toMatchObject({ stage: 'minter', eventName: 'GenerateTemporaryVolumeCredentials', responseElements: { accessKeyId: 'ASIAFAKE' } });
    expect(new TextDecoder().decode(last!.data)).not.toContain('secret-');
  });

  it('refuses forged, re-routed and malformed orders, and audits each refusal', async () => {
    await ensureAuditStream(nc, { maxAgeDays: 1 });
    await start();
    const jsm = await jetstreamManager(nc);
    const before = (await jsm.streams.info(STREAMS.audit)).state.messages;
    const { privateKey: otherKey } = generateKeyPairSync('ed25519');
    const forged = await send((inbox) => CODECS.signedMintOrder.encode(signMintOrder({ kid: signingKey.kid, privateKey: otherKey }, order(inbox))));
    const rerouted = await send(() => CODECS.signedMintOrder.encode(signMintOrder(signingKey, order('_INBOX.someone-else'))));
    const garbage = await send(() => new TextEncoder().encode('{"order":1}'));
    for (const reply of [forged, rerouted, garbage]) expect(reply).toMatchObject({ ok: false, error: { code: 'ORDER_REJECTED' } });
    expect(minter.inputs).toHaveLength(0);
    expect((await jsm.streams.info(STREAMS.audit)).state.messages).toBe(before + 3);
  });
});
