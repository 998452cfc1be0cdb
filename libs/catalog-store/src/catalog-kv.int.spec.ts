import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_KEYS } from '@lakegate/contracts';
import { connectNats, type NatsConnection } from '@lakegate/platform-nats';
import { createLogger } from '@lakegate/telemetry';
import { startNatsServer, type NatsServerHandle } from '@lakegate/testkit';
import { CatalogView, CatalogWriter, openCatalogKv } from './catalog-kv.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const principal = (name: string) => ({ name, type: 'USER' as const });

describe('catalog KV store and view', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let writer: CatalogWriter;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectNats({ servers: server.url, name: 'test' }, logger);
    writer = new CatalogWriter(nc, await openCatalogKv(nc));
  });
  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });

  it('starts ready on an empty bucket and follows later writes', async () => {
    const view = await CatalogView.start(nc, logger);
    const rev = await writer.put(CATALOG_KEYS.principal('a'), principal('a'), undefined);
    await view.waitFor(rev);
    expect(view.state.principals.get('a')?.revision).toBe(rev);
    view.close();
  });

  it('replays existing state before it is ready', async () => {
    for (let i = 0; i < 20; i++) await writer.upsert(CATALOG_KEYS.principal(`p${i}`), principal(`p${i}`));
    const view = await CatalogView.start(nc, logger);
    expect(view.state.principals.has('p19')).toBe(true);
    view.close();
  });

  it('lets exactly one of several concurrent updates at the same revision win', async () => {
    const key = CATALOG_KEYS.principal('race');
    const base = await writer.put(key, principal('race'), undefined);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => writer.put(key, { name: 'race', type: 'USER', member_of: [`g${i}`] }, base)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(7).fill('CONFLICT'));
    await expect(writer.put(key, principal('race'), undefined)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  it('catches up after the NATS server restarts', async () => {
    const view = await CatalogView.start(nc, logger);
    const reconnected = (async () => {
      for await (const s of nc.status()) if (s.type === 'reconnect') return;
    })();
    await server.restart();
    await reconnected;
    const rev = await writer.upsert(CATALOG_KEYS.principal('after-restart'), principal('after-restart'));
    await view.waitFor(rev, 15_000);
    expect(view.state.principals.has('after-restart')).toBe(true);
    view.close();
  });
});
