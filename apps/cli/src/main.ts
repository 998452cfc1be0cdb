#!/usr/bin/env node
import { readFile, writeFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { parse, stringify } from 'yaml';
import { ensureKeyFiles } from '@lakegate/trust';

const program = new Command()
  .name('lakegate')
  .description('lakegate: short-lived, downscoped cloud-storage credentials for data lakes')
  .version('0.1.0')
  .option('--url <url>', 'lakegate edge URL', process.env['LAKEGATE_URL'] ?? 'http://127.0.0.1:8080')
  .option('--token <token>', 'bearer token (default: $LAKEGATE_TOKEN)');

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

function connection(): { url: string; token: string } {
  const opts = program.opts<{ url: string; token?: string }>();
  const token = opts.token ?? process.env['LAKEGATE_TOKEN'];
  if (!token) return program.error('no token: pass --token or set LAKEGATE_TOKEN', { exitCode: 2 });
  return { url: opts.url.replace(/\/$/, ''), token };
}

async function call(path: string, body: unknown, method = 'POST'): Promise<unknown> {
  const { url, token } = connection();
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const payload: unknown = await res.json().catch(() => ({}));
  if (!res.ok) {
    process.stderr.write(`${res.status} ${JSON.stringify(payload)}\n`);
    process.exit(1);
  }
  return payload;
}

program
  .command('vend')
  .description('get temporary credentials for a volume (Unity Catalog face)')
  .requiredOption('--volume-id <id>', 'volume id (see GET /api/2.1/unity-catalog/volumes/{full_name})')
  .option('--write', 'ask for read-write credentials (WRITE_VOLUME)', false)
  .action(async (opts: { volumeId: string; write: boolean }) => {
    const result = await call('/api/2.1/unity-catalog/temporary-volume-credentials', { volume_id: opts.volumeId, operation: opts.write ? 'WRITE_VOLUME' : 'READ_VOLUME' });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  });

const audit = program.command('audit').description('the audit log');
audit
  .command('lookup')
  .description('CloudTrail LookupEvents over the audit index (metastore admins)')
  .option('--event-name <name>', 'only events with this name')
  .option('--username <name>', 'only events of this principal')
  .option('--max-results <n>', 'page size (1–50)', positiveInt, 20)
  .option('--next-token <token>', 'continue from a previous page')
  .action(async (opts: { eventName?: string; username?: string; maxResults: number; nextToken?: string }) => {
    const attribute = opts.eventName
      ? [{ AttributeKey: 'EventName', AttributeValue: opts.eventName }]
      : opts.username
        ? [{ AttributeKey: 'Username', AttributeValue: opts.username }]
        : undefined;
    const result = await call('/api/v1/audit/lookup-events', {
      ...(attribute ? { LookupAttributes: attribute } : {}),
      MaxResults: opts.maxResults,
      ...(opts.nextToken ? { NextToken: opts.nextToken } : {}),
    });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  });

program
  .command('explain')
  .description('show the decision and the exact scope a vend would get, without minting')
  .option('--volume-id <id>', 'a volume')
  .option('--table-id <id>', 'a table')
  .option('--table <full_name>', 'a table by catalog.schema.table')
  .option('--path <url>', 'a storage path under an external location')
  .option('--write', 'ask for write access', false)
  .action(async (opts: { volumeId?: string; tableId?: string; table?: string; path?: string; write: boolean }) => {
    const target = opts.volumeId
      ? { kind: 'volume', volumeId: opts.volumeId }
      : opts.tableId
        ? { kind: 'table', tableId: opts.tableId }
        : opts.table
          ? { kind: 'table', fullName: opts.table }
          : opts.path
            ? { kind: 'path', url: opts.path, operation: opts.write ? 'read-write' : 'read' }
            : program.error('name one of --volume-id, --table-id, --table or --path', { exitCode: 2 });
    const result = (await call('/api/v1/explain', { target, access: opts.write ? 'write' : 'read' })) as { allowed: boolean };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    process.exitCode = result.allowed ? 0 : 3;
  });

program
  .command('apply')
  .description('apply a catalog file (YAML or JSON): shows the plan of changes, then applies it')
  .requiredOption('-f, --file <file>', 'catalog file')
  .option('--dry-run', 'only show the plan', false)
  .option('--yes', 'apply without asking (required when stdin is not a terminal)', false)
  .action(async (opts: { file: string; dryRun: boolean; yes: boolean }) => {
    const catalog: unknown = parse(await readFile(opts.file, 'utf8'));
    const planned = (await call('/api/v1/catalog/apply', { catalog, dry_run: true })) as { plan: { action: string; kind: string; name: string }[] };
    const changes = planned.plan.filter((p) => p.action !== 'unchanged');
    for (const p of planned.plan) process.stdout.write(`${p.action === 'create' ? '+' : p.action === 'update' ? '~' : ' '} ${p.kind} ${p.name}\n`);
    process.stdout.write(`${changes.length} to change, ${planned.plan.length - changes.length} unchanged\n`);
    if (opts.dryRun || changes.length === 0) return;
    if (!opts.yes) {
      if (!process.stdin.isTTY) return program.error('not applied: pass --yes to apply without a terminal', { exitCode: 2 });
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await rl.question('Apply these changes? [y/N] ');
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) return;
    }
    const applied = (await call('/api/v1/catalog/apply', { catalog })) as { written: number };
    process.stdout.write(`applied: ${applied.written} written\n`);
  });

program
  .command('export')
  .description('write the catalog as a file `lakegate apply` takes (no tokens or keys)')
  .option('-o, --output <file>', 'file to write (default: stdout)')
  .action(async (opts: { output?: string }) => {
    const text = stringify(await call('/api/v1/catalog/export', undefined, 'GET'));
    if (opts.output) await writeFile(opts.output, text);
    else process.stdout.write(text);
  });

program
  .command('bench')
  .description('run the whole-pipeline benchmark (same as npm run bench; arguments go to the bench, e.g. -- --quick)')
  .allowUnknownOption(true)
  .helpOption(false)
  .argument('[args...]')
  .action(async (args: string[]) => {
    const { existsSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const bench = fileURLToPath(new URL('../../../tools/bench/dist/main.js', import.meta.url));
    if (!existsSync(bench)) return program.error('the benchmark is part of the lakegate repository: run it from a checkout (npm run bench)', { exitCode: 2 });
    process.exitCode = spawnSync(process.execPath, [bench, ...args], { stdio: 'inherit' }).status ?? 1;
  });

program
  .command('keys')
  .description('key files')
  .command('init')
  .description('create the key files a deployment needs (existing keys are kept)')
  .requiredOption('--dir <dir>', 'directory for the key files')
  .action(async (opts: { dir: string }) => {
    const paths = await ensureKeyFiles(opts.dir);
    for (const [name, path] of Object.entries(paths)) process.stdout.write(`${name}: ${path}\n`);
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
