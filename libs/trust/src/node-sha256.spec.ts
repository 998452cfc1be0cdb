import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NodeSha256 } from './node-sha256.js';

describe('NodeSha256', () => {
  const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');

  it('hashes, and starts over on reset', async () => {
    const h = new NodeSha256();
    h.update('discarded');
    h.reset();
    h.update(new TextEncoder().encode('ab'));
    h.update('c');
    expect(hex(await h.digest())).toBe(createHash('sha256').update('abc').digest('hex'));
  });

  it('is HMAC-SHA256 with a secret (RFC 4231 test case 2)', async () => {
    const h = new NodeSha256('Jefe');
    h.update('what do ya want for nothing?');
    expect(hex(await h.digest())).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});
