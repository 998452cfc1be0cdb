import { ClientSecretCredential, WorkloadIdentityCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { createSelfSignedTls, startEntraAuthority } from '@lakegate/azure-emulators';
import { writeFile } from 'node:fs/promises';
import { it } from 'vitest';
import { startAzurite } from './azurite.js';

const show = (label: string, e: unknown, t0: number) => {
  const x = e as Record<string, unknown>;
  console.log(label, Date.now() - t0, 'ms', { name: x.name, ctor: (e as object).constructor.name, code: x.code, statusCode: x.statusCode, message: String(x.message).slice(0, 300), errorResponse: x.errorResponse, details: x.details ? Object.keys(x.details as object) : undefined, cause: x.cause ? String((x.cause as Error).name) + ':' + String((x.cause as Error).message).slice(0, 100) : undefined, errors: Array.isArray(x.errors) ? (x.errors as Error[]).map((y) => y.name) : undefined });
};

it('explores errors', async () => {
  const tls = await createSelfSignedTls();
  const az = await startAzurite({ accounts: ['lakeacct1'], certPath: tls.certPath, keyPath: tls.keyPath });
  const tenant = '11111111-2222-3333-4444-555555555555';
  const client = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
  const wrongAud = 'aaaaaaaa-bbbb-cccc-dddd-000000000000';
  const wl = 'aaaaaaaa-bbbb-cccc-dddd-111111111111';
  const auth = await startEntraAuthority({ tls, apps: [
    { tenantId: tenant, clientId: client, clientSecret: 's3cret' },
    { tenantId: tenant, clientId: wrongAud, clientSecret: 's3cret', audience: 'https://management.azure.com' },
    { tenantId: tenant, clientId: wl, federatedTokens: ['fed-token-1'] },
  ] });
  const tlsOptions = { ca: [tls.cert] };
  const common = { authorityHost: auth.url, disableInstanceDiscovery: true, tlsOptions, retryOptions: { maxRetries: 0 } };
  const opts = { tlsOptions, retryOptions: { maxTries: 1 } };
  const now = Date.now();
  const udk0 = (cred: ClientSecretCredential | WorkloadIdentityCredential, endpoint = az.blobEndpoint('lakeacct1')) => new BlobServiceClient(endpoint, cred, opts).getUserDelegationKey(new Date(now - 300_000), new Date(now + 3600_000));
  const udk = async (cred: ClientSecretCredential | WorkloadIdentityCredential, endpoint = az.blobEndpoint('lakeacct1')) => { await cred.getToken('https://storage.azure.com/.default'); return udk0(cred, endpoint); };
  let t0 = Date.now();
  try { await udk(new ClientSecretCredential(tenant, client, 'wrong', common)); } catch (e) { show('wrong secret', e, t0); }
  t0 = Date.now();
  try { await udk(new ClientSecretCredential(tenant, 'aaaaaaaa-bbbb-cccc-dddd-999999999999', 'wrong', common)); } catch (e) { show('unknown client', e, t0); }
  t0 = Date.now();
  auth.failNext(503, 'temporarily_unavailable');
  try { await udk(new ClientSecretCredential(tenant, client, 's3cret', common)); } catch (e) { show('503', e, t0); }
  t0 = Date.now();
  auth.failNext(429, 'too_many_requests');
  try { await udk(new ClientSecretCredential(tenant, client, 's3cret', common)); } catch (e) { show('429', e, t0); }
  t0 = Date.now();
  auth.dropNext();
  try { await udk(new ClientSecretCredential(tenant, client, 's3cret', common)); } catch (e) { show('drop', e, t0); }
  t0 = Date.now();
  try { await udk(new ClientSecretCredential(tenant, client, 's3cret', { ...common, authorityHost: 'https://127.0.0.1:1' })); } catch (e) { show('authority down', e, t0); }
  t0 = Date.now();
  try { await udk(new ClientSecretCredential(tenant, client, 's3cret', { ...common, tlsOptions: undefined })); } catch (e) { show('untrusted cert', e, t0); }
  t0 = Date.now();
  try { await udk(new ClientSecretCredential(tenant, wrongAud, 's3cret', common)); } catch (e) { show('wrong aud', e, t0); }
  t0 = Date.now();
  try { await udk(new ClientSecretCredential(tenant, client, 's3cret', common), 'https://127.0.0.1:1/lakeacct1'); } catch (e) { show('storage down', e, t0); }
  t0 = Date.now();
  try { await udk(new ClientSecretCredential(tenant, client, 's3cret', common), az.blobEndpoint('nosuchacct')); } catch (e) { show('no account', e, t0); }
  await writeFile(`${tls.dir}/tok`, 'fed-token-1');
  await writeFile(`${tls.dir}/bad`, 'fed-token-2');
  t0 = Date.now();
  try { const k = await udk(new WorkloadIdentityCredential({ ...common, tenantId: tenant, clientId: wl, tokenFilePath: `${tls.dir}/tok` })); console.log('workload ok', k.signedObjectId); } catch (e) { show('workload', e, t0); }
  t0 = Date.now();
  try { await udk(new WorkloadIdentityCredential({ ...common, tenantId: tenant, clientId: wl, tokenFilePath: `${tls.dir}/bad` })); } catch (e) { show('workload bad', e, t0); }
  t0 = Date.now();
  try { await udk(new WorkloadIdentityCredential({ ...common, tenantId: tenant, clientId: wl, tokenFilePath: `${tls.dir}/missing` })); } catch (e) { show('workload missing file', e, t0); }
  console.log(auth.calls.map((c) => [c.clientId, c.status, c.error, c.clientAuth]));
  await auth.close();
  await az.stop();
  await tls.dispose();
}, 120_000);
