#!/usr/bin/env node
/**
 * In-process benchmarks of the minter's hot path (issue: minters): the shared credential cache and
 * the signed-order check, without NATS or the audit ack.
 *   1. a herd: 1,000 concurrent identical misses → upstream calls (goal: exactly 1);
 *   2. a cache hit: p50/p99 of getOrMint on a warm key, and of order verification + hit (goal ≤ 0.2 ms p50);
 *   3. 10,000 mixed requests over 100 scopes (Zipf-like), 64 in flight, 2 ms upstream → upstream calls (ideal: 100).
 * Prints a JSON summary; `--out <file>` also writes it.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { MintOrder } from '@lakegate/contracts';
import { cacheKeyOf, CredentialCache, type MintResult } from '@lakegate/minter-core';
import { MintOrderVerifier, signMintOrder, verifyKeyFrom } from '@lakegate/trust';

const result = (expiresAt: number): MintResult => ({ credential: { cloud: 'aws', aws: { accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 't' }, expiresAt } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const credential = { name: 'c', revision: 1 };

async function herd(): Promise<{ requests: number; upstreamCalls: number }> {
  const cache = new CredentialCache({ maxEntries: 1000, minRemainingMs: 0 });
  let calls = 0;
  const mint = async () => {
    calls++;
    await sleep(20);
    return result(Date.now() + 3_600_000);
  };
  await Promise.all(Array.from({ length: 1000 }, () => cache.getOrMint('one-scope', credential, mint)));
  return { requests: 1000, upstreamCalls: calls };
}

async function hits(iterations: number) {
  const cache = new CredentialCache({ maxEntries: 1000, minRemainingMs: 0 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const key = { kid: verifyKeyFrom(publicKey).kid, privateKey };
  const verifier = new MintOrderVerifier({ cloud: 'aws', keys: [verifyKeyFrom(publicKey)] });
  const order = (): MintOrder => ({
    v: 1, orderId: randomUUID(), requestId: 'r', replyTo: '_INBOX.x', issuedAt: Date.now(), expiresAt: Date.now() + 60_000, cloud: 'aws', face: 'nats', operation: 'op', principal: 'p',
    locations: [{ url: 's3://bkt/p', access: 'read' }], storageCredential: { name: 'c', revision: 1, aws: { roleArn: 'arn:aws:iam::1:role/r' } },
    audit: { userIdentity: {}, requestParameters: {}, resources: [] },
  });
  const warm = order();
  await cache.getOrMint(cacheKeyOf(warm), credential, async () => result(Date.now() + 3_600_000));
  const lookup: number[] = [];
  const withVerify: number[] = [];
  const signed = Array.from({ length: iterations }, () => signMintOrder(key, order()));
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await cache.getOrMint(cacheKeyOf(warm), credential, async () => result(0));
    lookup.push(performance.now() - t0);
  }
  for (const s of signed) {
    const t0 = performance.now();
    const o = verifier.verify(s, '_INBOX.x');
    await cache.getOrMint(cacheKeyOf(o), credential, async () => result(0));
    withVerify.push(performance.now() - t0);
  }
  lookup.sort((a, b) => a - b);
  withVerify.sort((a, b) => a - b);
  return {
    cacheHitP50Ms: percentile(lookup, 50), cacheHitP99Ms: percentile(lookup, 99),
    verifyAndHitP50Ms: percentile(withVerify, 50), verifyAndHitP99Ms: percentile(withVerify, 99),
  };
}

async function mixed(requests: number, scopes: number) {
  const cache = new CredentialCache({ maxEntries: 10_000, minRemainingMs: 0 });
  let calls = 0;
  const mint = async () => {
    calls++;
    await sleep(2);
    return result(Date.now() + 3_600_000);
  };
  // Zipf-like: scope i is asked with weight 1/(i+1).
  const weights = Array.from({ length: scopes }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const pick = () => {
    let r = random() * total;
    for (let i = 0; i < scopes; i++) if ((r -= weights[i]!) <= 0) return i;
    return scopes - 1;
  };
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      next++;
      await cache.getOrMint(`scope-${pick()}`, credential, mint);
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  return { requests, scopes, upstreamCalls: calls, ideal: scopes };
}

async function main() {
  const { values } = parseArgs({ options: { out: { type: 'string' }, iterations: { type: 'string' } } });
  const summary = {
    herd: await herd(),
    hit: await hits(Number(values.iterations ?? 20_000)),
    mixed: await mixed(10_000, 100),
    goals: { herdUpstreamCalls: 1, cacheHitP50Ms: 0.2, mixedUpstreamCalls: 100 },
  };
  const text = JSON.stringify(summary, null, 2);
  process.stdout.write(`${text}\n`);
  if (values.out) await writeFile(values.out, `${text}\n`);
}

void main();
