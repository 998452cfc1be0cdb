import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** CPU time a process has used, in clock ticks. */
export interface ProcCpu {
  utime: number;
  stime: number;
}

/**
 * Parses `/proc/<pid>/stat`. The command name (field 2) is in parentheses and may itself hold
 * spaces and parentheses, so fields are counted from the last `)`: utime and stime are fields
 * 14 and 15 of the line.
 */
export function parseProcStat(text: string): ProcCpu {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc/<pid>/stat line: no command name');
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) throw new Error('not a /proc/<pid>/stat line: utime/stime missing');
  return { utime, stime };
}

/** Clock ticks per second (`getconf CLK_TCK`); 100 on every Linux this runs on. */
export function clockTicksPerSecond(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** Sum of utime + stime over the processes, in ticks; processes that have exited count as 0. */
export async function cpuTicks(pids: readonly number[]): Promise<number> {
  const each = await Promise.all(
    pids.map(async (pid) => {
      try {
        const { utime, stime } = parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
        return utime + stime;
      } catch {
        return 0;
      }
    }),
  );
  return each.reduce((a, b) => a + b, 0);
}

/** CPU seconds per 1,000 requests, or null when nothing was measured. */
export function cpuSecondsPer1k(deltaTicks: number, ticksPerSecond: number, requests: number): number | null {
  if (requests <= 0 || ticksPerSecond <= 0) return null;
  return (deltaTicks / ticksPerSecond / requests) * 1000;
}

/** Reads CPU ticks for a fixed set of processes; measures a span of work and waits for quiet. */
export class CpuMeter {
  readonly ticksPerSecond = clockTicksPerSecond();
  constructor(readonly pids: readonly number[]) {}

  get enabled(): boolean {
    return this.pids.length > 0 && process.platform === 'linux';
  }

  read(extraPids: readonly number[] = []): Promise<number> {
    return this.enabled ? cpuTicks([...this.pids, ...extraPids]) : Promise.resolve(0);
  }

  /**
   * Waits until the processes are quiet (less than `busyFraction` of one core over a
   * `windowMs` window), so work a scenario leaves behind (audit indexing) is charged to it and
   * not to the next one. Gives up after `maxMs`.
   */
  async settle(options: { windowMs?: number; busyFraction?: number; maxMs?: number } = {}): Promise<void> {
    if (!this.enabled) return;
    const windowMs = options.windowMs ?? 300;
    const limit = ((options.busyFraction ?? 0.05) * this.ticksPerSecond * windowMs) / 1000;
    const deadline = Date.now() + (options.maxMs ?? 15_000);
    let before = await this.read();
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, windowMs));
      const now = await this.read();
      if (now - before <= limit) return;
      before = now;
    }
  }
}
