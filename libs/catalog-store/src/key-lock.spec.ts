import { describe, expect, it } from 'vitest';
import { withKeyLock } from './key-lock.js';

describe('withKeyLock', () => {
  it('runs calls for one key one after another, in order, and other keys alongside', async () => {
    const log: string[] = [];
    const step = (name: string, ms: number) => async () => {
      log.push(`${name}:start`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`${name}:end`);
      return name;
    };
    const results = await Promise.all([withKeyLock('k', step('a', 20)), withKeyLock('k', step('b', 1)), withKeyLock('other', step('c', 1))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log.indexOf('b:start')).toBeGreaterThan(log.indexOf('a:end'));
    expect(log.indexOf('c:end')).toBeLessThan(log.indexOf('a:end'));
  });

  it('keeps the queue going after a failure', async () => {
    const failed = withKeyLock('k2', async () => {
      throw new Error('boom');
    });
    const next = withKeyLock('k2', async () => 'ok');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
  });
});
