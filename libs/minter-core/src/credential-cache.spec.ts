import { describe, expect, it } from 'vitest';
import { LakegateError } from '@lakegate/contracts';
import { CredentialCache } from './credential-cache.js';
import { clampDuration } from './duration.js';
import type { MintResult } from './minter.port.js';

const result = (expiresAt: number, id = 'ASIA1'): MintResult => ({
  credential: { cloud: 'aws', aws: { accessKeyId: id, secretAccessKey: 's', sessionToken: 't' }, expiresAt },
});
const cred = { name: 'c', revision: 1 };

describe('CredentialCache', () => {
  it('makes one upstream call for 1,000 concurrent misses of one key', async () => {
    const now = 0;
    const cache = new CredentialCache({ maxEntries: 10, minRemainingMs: 0, clock: () => now });
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const mint = async () => {
      calls++;
      await gate;
      return result(3_600_000);
    };
    const all = Promise.all(Array.from({ length: 1000 }, () => cache.getOrMint('k', cred, mint)));
    release();
    const outcomes = await all;
    expect(calls).toBe(1);
    expect(outcomes.filter((o) => !o.cacheHit)).toHaveLength(1);
    expect(cache.stats).toMatchObject({ upstreamCalls: 1, misses: 1, hits: 999 });
  });

  it('serves an entry for half its remaining life, then mints again', async () => {
    let now = 0;
    const cache = new CredentialCache({ maxEntries: 10, minRemainingMs: 0, clock: () => now });
    let calls = 0;
    const mint = async () => result(now + 1000, `ASIA${++calls}`);
    await cache.getOrMint('k', cred, mint);
    now = 499;
    expect((await cache.getOrMint('k', cred, mint)).cacheHit).toBe(true);
    now = 500;
    expect((await cache.getOrMint('k', cred, mint)).cacheHit).toBe(false);
    expect(calls).toBe(2);
  });

  it('never serves a credential with less than the minimum remaining life', async () => {
    let now = 0;
    const cache = new CredentialCache({ maxEntries: 10, minRemainingMs: 600, clock: () => now });
    let calls = 0;
    const mint = async () => (calls++, result(now + 1000));
    await cache.getOrMint('k', cred, mint);
    now = 300;
    expect((await cache.getOrMint('k', cred, mint)).cacheHit).toBe(true);
    now = 450; // still within half its life, but only 550 ms left: below the minimum
    expect((await cache.getOrMint('k', cred, mint)).cacheHit).toBe(false);
    expect(calls).toBe(2);
  });

  it('does not cache failures, and every waiter sees the failure', async () => {
    const cache = new CredentialCache({ maxEntries: 10, minRemainingMs: 0, clock: () => 0 });
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new LakegateError('UPSTREAM_UNAVAILABLE');
    };
    const results = await Promise.allSettled([cache.getOrMint('k', cred, failing), cache.getOrMint('k', cred, failing)]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(calls).toBe(1);
    await cache.getOrMint('k', cred, async () => result(10_000)).catch(() => undefined);
    expect(cache.stats.upstreamCalls).toBe(2);
  });

  it('evicts the least recently used entry beyond its size', async () => {
    const cache = new CredentialCache({ maxEntries: 2, minRemainingMs: 0, clock: () => 0 });
    let calls = 0;
    const mint = async () => (calls++, result(10_000));
    await cache.getOrMint('a', cred, mint);
    await cache.getOrMint('b', cred, mint);
    await cache.getOrMint('a', cred, mint);
    await cache.getOrMint('c', cred, mint);
    expect(calls).toBe(3);
    await cache.getOrMint('a', cred, mint);
    expect(calls).toBe(3);
    await cache.getOrMint('b', cred, mint);
    expect(calls).toBe(4);
  });

  it('drops entries minted with an older revision of the storage credential', async () => {
    const cache = new CredentialCache({ maxEntries: 10, minRemainingMs: 0, clock: () => 0 });
    let calls = 0;
    const mint = async () => (calls++, result(10_000));
    await cache.getOrMint('k', { name: 'c', revision: 1 }, mint);
    cache.noteRevision('c', 2);
    await cache.getOrMint('k', { name: 'c', revision: 1 }, mint);
    expect(calls).toBe(2);
  });
});

describe('clampDuration', () => {
  const caps = { cloud: 'aws' as const, minDurationSeconds: 900, maxDurationSeconds: 3600, defaultDurationSeconds: 1800, revocable: false };
  it.each([
    [undefined, 1800],
    [60, 900],
    [2000, 2000],
    [99_999, 3600],
  ])('%s → %s', (requested, expected) => {
    expect(clampDuration(requested, caps)).toBe(expected);
  });
});
