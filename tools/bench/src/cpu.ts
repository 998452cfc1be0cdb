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

/** utime + stime of each named process, in ticks; a process that has exited counts as 0. */
export async function cpuTicks(pids: Readonly<Record<string, number>>): Promise<Record<string, number>> {
  const entries = await Promise.all(
    Object.entries(pids).map(async ([name, pid]): Promise<[string, number]> => {
      try {
        const { utime, stime } = parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
        return [name, utime + stime];
      } catch {
        return [name, 0];
      }
    }),
  );
  return Object.fromEntries(entries);
}

export const sumTicks = (ticks: Readonly<Record<string, number>>): number => Object.values(ticks).reduce((a, b) => a + b, 0);

/** Per process, the ticks used between two readings. */
export function ticksBetween(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, t]) => [name, Math.max(0, t - (before[name] ?? 0))]));
}

/** CPU seconds per 1,000 requests, or null when nothing was measured. */
export function cpuSecondsPer1k(deltaTicks: number, ticksPerSecond: number, requests: number): number | null {
  if (requests <= 0 || ticksPerSecond <= 0) return null;
  return (deltaTicks / ticksPerSecond / requests) * 1000;
}

/** Reads CPU ticks for a fixed set of processes; measures a span of work and waits for quiet. */
export class CpuMeter {
  readonly ticksPerSecond = clockTicksPerSecond();
  /** Process name → pid, as in run.json. */
  constructor(readonly pids: Readonly<Record<string, number>>) {}

  get enabled(): boolean {
    return Object.keys(this.pids).length > 0 && process.platform === 'linux';
  }

  read(extra: Readonly<Record<string, number>> = {}): Promise<Record<string, number>> {
    return this.enabled ? cpuTicks({ ...this.pids, ...extra }) : Promise.resolve({});
  }

  /**
   * Waits until the processes are quiet (less than `busyFraction` of one core over a
   * `windowMs` window), so work a scenario leaves behind (audit indexing) is charged to it and
   * not to the next one. Gives up after `maxMs` and then returns false.
   */
  async settle(options: { windowMs?: number; busyFraction?: number; maxMs?: number } = {}): Promise<boolean> {
    if (!this.enabled) return true;
    const windowMs = options.windowMs ?? 300;
    const limit = ((options.busyFraction ?? 0.05) * this.ticksPerSecond * windowMs) / 1000;
    const deadline = Date.now() + (options.maxMs ?? 15_000);
    let before = sumTicks(await this.read());
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, windowMs));
      const now = sumTicks(await this.read());
      if (now - before <= limit) return true;
      before = now;
    }
    return false;
  }
}
