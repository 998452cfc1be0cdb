#!/usr/bin/env node
/**
 * The local Azure stand-in `npm start` runs: real Azurite (blob, OAuth, HTTPS) plus a loopback
 * Entra ID authority that issues tokens for one app. Prints one JSON line once both listen:
 * {"ready":true,"authorityUrl","blobEndpoint":"https://127.0.0.1:<p>/{account}","caFile","tenantId","clientId"}.
 * The app's client secret comes from AZURE_EMULATOR_CLIENT_SECRET (never from argv).
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, generateAccountSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startAzurite } from './azurite.js';
import { startEntraAuthority } from './entra-authority.js';
import { createSelfSignedTls } from './self-signed-tls.js';

const USAGE = `Usage: lakegate-azure-emulators --dir <dir> --tenant-id <guid> --client-id <guid> --account <name> [--account <name>…] [--container <account>/<name>…]
  env AZURE_EMULATOR_CLIENT_SECRET   the app's client secret (required)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, 'tenant-id': { type: 'string' }, 'client-id': { type: 'string' }, account: { type: 'string', multiple: true }, container: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  const secret = process.env['AZURE_EMULATOR_CLIENT_SECRET'];
  if (values.help || !values.dir || !values['tenant-id'] || !values['client-id'] || !values.account?.length || !secret) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  await mkdir(values.dir, { recursive: true, mode: 0o700 });
  const tls = await createSelfSignedTls({ commonName: 'lakegate-azure-emulators' });
  const caFile = join(values.dir, 'ca.pem');
  await writeFile(caFile, tls.cert);
  const accounts = values.account.map((name) => ({ name, key: randomBytes(64).toString('base64') }));
  const azurite = await startAzurite({ accounts, certPath: tls.certPath, keyPath: tls.keyPath });
  for (const spec of values.container ?? []) {
    const [accountName, container] = spec.split('/');
    const account = accounts.find((a) => a.name === accountName);
    if (!account || !container) throw new Error(`--container '${spec}' names no configured account`);
    await createContainer(`${azurite.url}/${account.name}/${container}`, account, tls.cert);
  }
  const authority = await startEntraAuthority({ tls: { cert: tls.cert, key: tls.key }, apps: [{ tenantId: values['tenant-id'], clientId: values['client-id'], clientSecret: secret }] });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await authority.close();
    await azurite.stop();
    await tls.dispose();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  // Started by a launcher: stop when it is gone (reparented), even if it was killed outright.
  const parentPid = process.ppid;
  if (parentPid !== 1) setInterval(() => process.ppid !== parentPid && void stop(), 1_000).unref();
  process.once('SIGINT', () => void stop());
  process.stdout.write(
    `${JSON.stringify({ ready: true, authorityUrl: authority.url, blobEndpoint: `${azurite.url}/{account}`, caFile, tenantId: values['tenant-id'], clientId: values['client-id'] })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`azure emulators failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

/** Creates a container with an account SAS signed by the emulator's shared key (setup only). */
async function createContainer(url: string, account: { name: string; key: string }, ca: string): Promise<void> {
  const sas = generateAccountSASQueryParameters(
    {
      permissions: AccountSASPermissions.parse('c'),
      resourceTypes: AccountSASResourceTypes.parse('c').toString(),
      services: AccountSASServices.parse('b').toString(),
      expiresOn: new Date(Date.now() + 600_000),
      version: '2025-11-05',
    },
    new StorageSharedKeyCredential(account.name, account.key),
  ).toString();
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${url}?restype=container&${sas}`, { method: 'PUT', ca, headers: { 'x-ms-version': '2025-11-05', 'content-length': 0 } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
  if (status !== 201 && status !== 409) throw new Error(`creating container ${url} answered ${status}`);
}
