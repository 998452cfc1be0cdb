import { describe, expect, it } from 'vitest';
import { DelegationKeyCache, type FetchedKey } from './delegation-key-cache.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2030, 0, 1);

const fetched = (id: string, expiresAt: number): FetchedKey => ({
  key: {
    signedObjectId: id,
    signedTenantId: 'tenant',
    signedStartsOn: new Date(expiresAt - 7 * 24 * HOUR),
    signedExpiresOn: new Date(expiresAt),
    signedService: 'b',
    signedVersion: '2025-11-05',
    value: Buffer.from(id).toString('base64'),
  },
  requestId: `req-${id}`,
});

/** A fetch whose answers the test releases by hand, counting calls. */
function controlledFetch() {
  const waiting: { resolve: (k: FetchedKey) => void; reject: (e: Error) => void }[] = [];
  let calls = 0;
  const next = () => {
    const w = waiting.shift();
    if (!w) throw new Error('no fetch is waiting');
    return w;
  };
  return {
    fetch: () => {
      calls++;
      return new Promise<FetchedKey>((resolve, reject) => waiting.push({ resolve, reject }));
    },
    get calls() {
      return calls;
    },
    resolve: (k: FetchedKey) => next().resolve(k),
    reject: (e: Error) => next().reject(e),
  };
}

describe('DelegationKeyCache', () => {
  it('reuses a key while more than the renewal margin remains, then fetches a new one', async () => {
    let now = T0;
    const cache = new DelegationKeyCache({ renewalMarginMs: 2 * HOUR, clock: () => now });
    let n = 0;
    const fetch = async () => fetched(`k${++n}`, T0 + 10 * HOUR);

    expect((await cache.get('a', fetch)).key.signedObjectId).toBe('k1');
    now = T0 + 8 * HOUR - 1; // 2 h + 1 ms left
    expect((await cache.get('a', fetch)).key.signedObjectId).toBe('k1');
    now = T0 + 8 * HOUR; // exactly the margin left: renew
    expect((await cache.get('a', fetch)).key.signedObjectId).toBe('k2');
    expect(cache.stats).toEqual({ fetches: 2, hits: 1, shared: 0 });
  });

  it('keeps one key per cache key (identity and account)', async () => {
    const cache = new DelegationKeyCache({ renewalMarginMs: HOUR, clock: () => T0 });
    const a = await cache.get('id0|acct1', async () => fetched('a', T0 + 5 * HOUR));
    const b = await cache.get('id0|acct2', async () => fetched('b', T0 + 5 * HOUR));
    const c = await cache.get('id1|acct1', async () => fetched('c', T0 + 5 * HOUR));
    expect([a, b, c].map((f) => f.key.signedObjectId)).toEqual(['a', 'b', 'c']);
    expect((await cache.get('id0|acct1', async () => fetched('x', T0 + 5 * HOUR))).key.signedObjectId).toBe('a');
    expect(cache.stats).toEqual({ fetches: 3, hits: 1, shared: 0 });
  });

  it('lets concurrent callers share one fetch', async () => {
    const cache = new DelegationKeyCache({ renewalMarginMs: HOUR, clock: () => T0 });
    const upstream = controlledFetch();
    const callers = Array.from({ length: 8 }, () => cache.get('a', upstream.fetch));
    upstream.resolve(fetched('k1', T0 + 5 * HOUR));
    const results = await Promise.all(callers);
    expect(upstream.calls).toBe(1);
    expect(new Set(results.map((r) => r.key.signedObjectId))).toEqual(new Set(['k1']));
    expect(cache.stats).toEqual({ fetches: 1, hits: 0, shared: 7 });
  });

  it('does not cache a failure: every waiting caller sees it, the next caller fetches again', async () => {
    const cache = new DelegationKeyCache({ renewalMarginMs: HOUR, clock: () => T0 });
    const upstream = controlledFetch();
    const first = cache.get('a', upstream.fetch);
    const second = cache.get('a', upstream.fetch);
    upstream.reject(new Error('authority down'));
    await expect(first).rejects.toThrow('authority down');
    await expect(second).rejects.toThrow('authority down');

    const third = cache.get('a', upstream.fetch);
    upstream.resolve(fetched('k2', T0 + 5 * HOUR));
    expect((await third).key.signedObjectId).toBe('k2');
    expect(upstream.calls).toBe(2);
  });

  it('a renewal that fails leaves the caller with the error, not the old key', async () => {
    let now = T0;
    const cache = new DelegationKeyCache({ renewalMarginMs: HOUR, clock: () => now });
    await cache.get('a', async () => fetched('old', T0 + 2 * HOUR));
    now = T0 + 90 * 60_000;
    await expect(cache.get('a', async () => Promise.reject(new Error('denied')))).rejects.toThrow('denied');
  });

  it('clear() forgets keys, including one whose fetch is still under way', async () => {
    const cache = new DelegationKeyCache({ renewalMarginMs: HOUR, clock: () => T0 });
    await cache.get('a', async () => fetched('k1', T0 + 5 * HOUR));
    const upstream = controlledFetch();
    cache.clear();
    const pending = cache.get('b', upstream.fetch);
    cache.clear();
    upstream.resolve(fetched('late', T0 + 5 * HOUR));
    expect((await pending).key.signedObjectId).toBe('late');
    expect((await cache.get('a', async () => fetched('k2', T0 + 5 * HOUR))).key.signedObjectId).toBe('k2');
    expect((await cache.get('b', async () => fetched('k3', T0 + 5 * HOUR))).key.signedObjectId).toBe('k3');
  });
});
