import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<string>;
}

/** Starts a child process whose stdout and stderr go to a log file. */
export function startProcess(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, options: { captureStdout?: boolean } = {}): ManagedProcess {
  const log: WriteStream = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // Tools that print a ready line keep stdout for it; everything also goes to the log file.
  child.stdout?.pipe(log, { end: false });
  if (!options.captureStdout) child.stdout?.resume();
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      log.end();
      resolve(signal ?? String(code));
    });
    child.once('error', (error) => {
      log.end();
      resolve(`failed to start: ${error.message}`);
    });
  });
  return { name, child, logFile, exited };
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopProcess(p: ManagedProcess, graceMs = 10_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

export async function tail(file: string, lines = 20): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
