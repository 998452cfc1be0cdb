#!/usr/bin/env node
import { setting, Type } from '@lakegate/config';
import { GcpMinter } from '@lakegate/minter-gcp';
import { runMinter } from '@lakegate/minter-core';

const GCP_SETTINGS = {
  sourceKeyFile: setting('LAKEGATE_GCP_SOURCE_KEY_FILE', Type.Optional(Type.String({ minLength: 1 })), "service-account key file of the minter's own identity (default: application default credentials)"),
  identity: setting('LAKEGATE_GCP_IDENTITY', Type.Union([Type.Literal('impersonate'), Type.Literal('source')], { default: 'impersonate' }), "impersonate the storage credential's service account, or downscope the source identity itself"),
  endpointUrl: setting('LAKEGATE_GCP_ENDPOINT_URL', Type.Optional(Type.String({ pattern: '^https?://' })), 'one base URL replacing the STS, IAM Credentials and OAuth endpoints (a local emulator)'),
  maxDurationSeconds: setting('LAKEGATE_GCP_MAX_DURATION_SECONDS', Type.Integer({ minimum: 600, maximum: 3600, default: 3600 }), 'longest token lifetime'),
};

runMinter('gcp', GCP_SETTINGS, async (config) =>
  new GcpMinter({
    source: config.sourceKeyFile ? { kind: 'service-account-key-file', path: config.sourceKeyFile } : { kind: 'application-default' },
    identity: config.identity,
    ...(config.endpointUrl ? { endpoints: { sts: config.endpointUrl, iamCredentials: config.endpointUrl, oauth2: config.endpointUrl } } : {}),
    maxDurationSeconds: config.maxDurationSeconds,
  }),
);
