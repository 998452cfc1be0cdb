#!/usr/bin/env node
import { setting, Type } from '@lakegate/config';
import { AwsMinter } from '@lakegate/minter-aws';
import { runMinter } from '@lakegate/minter-core';

/** The AWS SDK's own settings; the caller identity comes from its standard credential chain. */
const AWS_SETTINGS = {
  stsRegion: setting('AWS_REGION', Type.String({ default: 'us-east-1', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$' }), 'region of the STS endpoint'),
  stsEndpoint: setting('AWS_ENDPOINT_URL_STS', Type.Optional(Type.String({ pattern: '^https?://' })), 'STS endpoint (regional, FIPS, MinIO or the loopback emulator)'),
  roleMaxSessionSeconds: setting('LAKEGATE_AWS_ROLE_MAX_SESSION_SECONDS', Type.Integer({ minimum: 900, maximum: 43_200, default: 3600 }), "the roles' MaxSessionDuration"),
};

runMinter('aws', AWS_SETTINGS, async (config) =>
  new AwsMinter({
    region: config.stsRegion,
    ...(config.stsEndpoint ? { endpoint: config.stsEndpoint } : {}),
    roleMaxSessionSeconds: config.roleMaxSessionSeconds,
  }),
);
