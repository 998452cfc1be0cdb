#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { setting, Type } from '@lakegate/config';
import { AzureMinter, type AzureSourceIdentity } from '@lakegate/minter-azure';
import { runMinter, unavailableMinter } from '@lakegate/minter-core';

const AZURE_SETTINGS = {
  identitiesFile: setting(
    'LAKEGATE_AZURE_IDENTITIES_FILE',
    Type.Optional(Type.String({ minLength: 1 })),
    'JSON file (mode 0600) listing the Entra ID identities the minter may use: [{kind: client-secret|workload-identity|managed-identity|default, tenantId, clientId, …}]',
  ),
  blobEndpoint: setting('LAKEGATE_AZURE_BLOB_ENDPOINT', Type.Optional(Type.String({ pattern: '^https://' })), 'blob endpoint template with {account} (default https://{account}.blob.core.windows.net)'),
  caFile: setting('LAKEGATE_AZURE_CA_FILE', Type.Optional(Type.String({ minLength: 1 })), 'extra trusted CA (PEM) for the authority and storage, e.g. a local emulator'),
  sasVersion: setting('LAKEGATE_AZURE_SAS_VERSION', Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })), 'SAS service version to sign'),
  maxDurationSeconds: setting('LAKEGATE_AZURE_MAX_DURATION_SECONDS', Type.Integer({ minimum: 60, maximum: 604_500, default: 43_200 }), 'longest SAS lifetime'),
};

runMinter('azure', AZURE_SETTINGS, async (config, logger) => {
  if (!config.identitiesFile) {
    logger.warn('no Azure identities configured (LAKEGATE_AZURE_IDENTITIES_FILE): Azure orders will be refused');
    return unavailableMinter('azure', 'No Azure identity is configured for this minter (LAKEGATE_AZURE_IDENTITIES_FILE).');
  }
  const identities = JSON.parse(await readFile(config.identitiesFile, 'utf8')) as AzureSourceIdentity[];
  return new AzureMinter({
    identities,
    ...(config.blobEndpoint ? { blobEndpoint: config.blobEndpoint } : {}),
    ...(config.caFile ? { caCertificates: [await readFile(config.caFile, 'utf8')] } : {}),
    ...(config.sasVersion ? { sasVersion: config.sasVersion } : {}),
    maxDurationSeconds: config.maxDurationSeconds,
  });
});
