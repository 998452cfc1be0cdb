#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
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

async function call(path: string, body: unknown): Promise<unknown> {
  const { url, token } = connection();
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
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
