#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startGcpEmulator } from './gcp-emulator.js';

const USAGE = `Usage: lakegate-gcp-emulators [options]

Loopback stand-ins for the Google endpoints a downscoping broker calls, for development and tests:
  POST /token                                                     OAuth 2.0 JWT-bearer grant (service-account keys)
  POST /v1/projects/-/serviceAccounts/<email>:generateAccessToken IAM Credentials impersonation
  POST /v1/token                                                  STS token exchange with a Credential Access Boundary

Options:
  --port <n>                               port to listen on (default 0: a free port)
  --host <addr>                            interface to bind (default 127.0.0.1)
  --service-account-key <file>             a service-account key JSON whose key may sign JWT grants (repeatable)
  --allow-impersonation <caller>=<target>  let <caller> mint tokens for <target> (repeatable; with none,
                                           every caller may impersonate every service account)
  --token-lifetime-seconds <n>             lifetime of JWT-grant tokens (default 3600)
  --latency-ms <n>                         delay before every response (default 0)
  -h, --help                               show this help

Prints one JSON line {"ready":true,"url":...,"port":...} on stdout once listening.
GET /_emulator/health and GET /_emulator/calls serve JSON. Stops on SIGTERM or SIGINT.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function integer(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer of at least ${min}, got '${value}'`);
  return n;
}

function parseCli() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'service-account-key': { type: 'string', multiple: true },
        'allow-impersonation': { type: 'string', multiple: true },
        'token-lifetime-seconds': { type: 'string' },
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

/** email → private key PEM, from key files; the key material is never printed. */
function readKeys(paths: readonly string[]): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const path of paths) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      fail(`--service-account-key '${path}' could not be read as JSON (${error instanceof Error && 'code' in error ? String(error.code) : 'parse error'})`);
    }
    const { client_email: email, private_key: key } = (json ?? {}) as Record<string, unknown>;
    if (typeof email !== 'string' || typeof key !== 'string') fail(`--service-account-key '${path}' has no client_email and private_key`);
    keys[email] = key;
  }
  return keys;
}

function readImpersonation(grants: readonly string[]): Record<string, string[]> | undefined {
  if (grants.length === 0) return undefined;
  const table: Record<string, string[]> = {};
  for (const grant of grants) {
    const [caller, target, ...rest] = grant.split('=');
    if (!caller || !target || rest.length > 0) fail(`--allow-impersonation must be <caller>=<target>, got '${grant}'`);
    (table[target] ??= []).push(caller);
  }
  return table;
}

const values = parseCli();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const port = integer('port', values.port, 0);
if (port > 65_535) fail(`--port must be at most 65535, got ${port}`);
const impersonation = readImpersonation(values['allow-impersonation'] ?? []);

const started = startGcpEmulator({
  port,
  host: values.host ?? '127.0.0.1',
  serviceAccountKeys: readKeys(values['service-account-key'] ?? []),
  ...(impersonation === undefined ? {} : { impersonation }),
  tokenLifetimeSeconds: integer('token-lifetime-seconds', values['token-lifetime-seconds'], 3600, 1),
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

const emulator = await started.catch((error: unknown) => fail(`could not start: ${error instanceof Error ? error.message : String(error)}`));
process.stdout.write(`${JSON.stringify({ ready: true, url: emulator.url, port: emulator.port })}\n`);
