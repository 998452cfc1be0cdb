/** Progress on stderr: one line rewritten in place on a terminal, an occasional line otherwise. */
export class Progress {
  private lastLive = 0;
  private liveShown = false;
  private readonly started = Date.now();
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  private stamp(): string {
    return `[${((Date.now() - this.started) / 1000).toFixed(1).padStart(5)} s]`;
  }

  private get tty(): boolean {
    return Boolean(this.stream.isTTY);
  }

  /** A permanent line, stamped with the time since the bench started. */
  say(line: string): void {
    this.clearLive();
    this.stream.write(line ? `${this.stamp()} ${line}\n` : '\n');
  }

  /** A status line that the next one replaces (on a terminal), or at most one every 5 s. */
  live(text: string): void {
    const now = Date.now();
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${this.stamp()} ${text}`);
      this.liveShown = true;
    } else if (now - this.lastLive >= 5_000) {
      this.stream.write(`${this.stamp()}   ${text}\n`);
      this.lastLive = now;
    }
  }

  private clearLive(): void {
    if (this.tty && this.liveShown) this.stream.write('\r\x1b[2K');
    this.liveShown = false;
    this.lastLive = 0;
  }
}
