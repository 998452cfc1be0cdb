import { describe, expect, it } from 'vitest';
import { cpuSecondsPer1k, parseProcStat, sumTicks, ticksBetween } from './cpu.js';

// Real /proc/<pid>/stat lines (Linux 6.x), fields 14 and 15 are utime and stime.
const NODE = '4242 (node) S 4200 4242 4200 0 -1 4194560 21301 0 12 0 1834 377 0 0 20 0 11 0 5612 1195487232 24064 18446744073709551615 1 1 0 0 0 0 0 16781312 17922 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0';
const NATS = '77 (nats-server) S 1 77 77 0 -1 1077936384 3000 0 0 0 512 1024 0 0 20 0 8 0 100 1300000000 5000 18446744073709551615 1 1 0 0 0 0 0 0 2143420159 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0';

describe('parseProcStat', () => {
  it.each([
    ['a plain command name', NODE, { utime: 1834, stime: 377 }],
    ['a dashed command name', NATS, { utime: 512, stime: 1024 }],
    ['a command name with spaces and parentheses', NODE.replace('(node)', '(my (odd) proc)'), { utime: 1834, stime: 377 }],
    ['a command name that looks like fields', NODE.replace('(node)', '(1 2 3) 4 5)'), { utime: 1834, stime: 377 }],
    ['a trailing newline', `${NODE}\n`, { utime: 1834, stime: 377 }],
  ])('reads utime and stime with %s', (_case, line, expected) => {
    expect(parseProcStat(line)).toEqual(expected);
  });

  it.each([
    ['no command name', '4242 node S 4200'],
    ['too few fields', '4242 (node) S 4200 4242'],
    ['non-numeric times', NODE.replace(' 1834 377 ', ' x y ')],
    ['empty text', ''],
  ])('refuses %s', (_case, line) => {
    expect(() => parseProcStat(line)).toThrow(/proc/);
  });
});

describe('CPU arithmetic', () => {
  it('turns ticks into CPU seconds per 1,000 requests', () => {
    expect(cpuSecondsPer1k(250, 100, 5000)).toBeCloseTo(0.5);
    expect(cpuSecondsPer1k(0, 100, 10)).toBe(0);
    expect(cpuSecondsPer1k(1000, 1000, 1000)).toBeCloseTo(1);
  });

  it('has no figure without requests or ticks per second', () => {
    expect(cpuSecondsPer1k(100, 100, 0)).toBeNull();
    expect(cpuSecondsPer1k(100, 0, 10)).toBeNull();
  });

  it('takes per-process differences, counting a process that appeared as new and never going below zero', () => {
    expect(ticksBetween({ edge: 100, authz: 50 }, { edge: 160, authz: 50, echo: 7 })).toEqual({ edge: 60, authz: 0, echo: 7 });
    // A pid that exited reads as 0 afterwards.
    expect(ticksBetween({ edge: 100 }, { edge: 0 })).toEqual({ edge: 0 });
    expect(sumTicks({ a: 1, b: 2, c: 3 })).toBe(6);
    expect(sumTicks({})).toBe(0);
  });
});

describe.runIf(process.platform === 'linux')('on this machine', () => {
  it('parses the real /proc/self/stat', async () => {
    const { readFile } = await import('node:fs/promises');
    const { utime, stime } = parseProcStat(await readFile('/proc/self/stat', 'utf8'));
    expect(Number.isInteger(utime) && utime >= 0).toBe(true);
    expect(Number.isInteger(stime) && stime >= 0).toBe(true);
  });
});
