#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startStsEmulator } from './sts-emulator.js';

const USAGE = `Usage: lakegate-sts-emulator --access-key-id <id> --secret-access-key <secret> [options]

A loopback AWS STS (AssumeRole over the Query/XML protocol, SigV4-verified) for development and tests.

Options:
  --port <n>                 port to listen on (default 0: a free port)
  --host <addr>              interface to bind (default 127.0.0.1)
  --access-key-id <id>       the access key id callers sign with (required)
  --secret-access-key <s>    its secret (required; or env STS_EMULATOR_SECRET_ACCESS_KEY)
  --latency-ms <n>           delay before every response (default 0)
  -h, --help                 show this help

Prints one JSON line {"ready":true,"url":...,"port":...} on stdout once listening.
GET /_emulator/health and GET /_emulator/calls serve JSON. Stops on SIGTERM or SIGINT.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer, got '${value}'`);
  return n;
}

function parseCli() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'access-key-id': { type: 'string' },
        'secret-access-key': { type: 'string' },
        'latency-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

const values = parseCli();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const accessKeyId = values['access-key-id'];
// The secret may come from the environment, so it does not show in the process list.
const secretAccessKey = values['secret-access-key'] ?? process.env['STS_EMULATOR_SECRET_ACCESS_KEY'];
if (!accessKeyId || !secretAccessKey) fail('--access-key-id and --secret-access-key (or STS_EMULATOR_SECRET_ACCESS_KEY) are required');
const port = integer('port', values.port, 0);
if (port > 65_535) fail(`--port must be at most 65535, got ${port}`);

const started = startStsEmulator({
  port,
  host: values.host ?? '127.0.0.1',
  accessKeys: { [accessKeyId]: secretAccessKey },
  latencyMs: integer('latency-ms', values['latency-ms'], 0),
});
// Handlers go in before the ready line: a supervisor may signal as soon as it reads it.
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  started
    .then((emulator) => emulator.close())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
};
process.once('SIGTERM', stop);
// Started by a launcher: stop when it is gone (reparented), even if it was killed outright.
const parentPid = process.ppid;
if (parentPid !== 1) setInterval(() => process.ppid !== parentPid && stop(), 1_000).unref();
process.once('SIGINT', stop);

const emulator = await started;
process.stdout.write(`${JSON.stringify({ ready: true, url: emulator.url, port: emulator.port })}\n`);
