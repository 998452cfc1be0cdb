#!/usr/bin/env node
import { AuditPublisher, AuditRedactor, ensureAuditStream } from '@lakegate/audit';
import { CatalogView } from '@lakegate/catalog-store';
import { loadConfigFromEnv } from '@lakegate/config';
import { SERVICE_NAMES, SUBJECTS } from '@lakegate/contracts';
import { connectNats, runMain, startService } from '@lakegate/platform-nats';
import { createLogger, startTelemetry } from '@lakegate/telemetry';
import { readSigningKey, readSymmetricKey } from '@lakegate/trust';
import { AUTHZ_SETTINGS } from './authz.settings.js';
import { vendHandler } from './vend.handler.js';

runMain('authz', async () => {
  const config = loadConfigFromEnv(AUTHZ_SETTINGS);
  const logger = createLogger({ service: SERVICE_NAMES.authz, level: config.logLevel });
  const telemetry = startTelemetry({ service: SERVICE_NAMES.authz, otlpEndpoint: config.otlpEndpoint });
  const nc = await connectNats({ servers: config.natsUrl, name: SERVICE_NAMES.authz, credsFile: config.natsCredsFile }, logger);
  await ensureAuditStream(nc, { maxAgeDays: config.auditMaxAgeDays });
  const view = await CatalogView.start(nc, logger);
  const handler = vendHandler({
    nc,
    view,
    assertionKeys: [await readSymmetricKey(config.assertionKeyFile)],
    signingKey: await readSigningKey(config.orderSigningKeyFile),
    orderTtlMs: config.orderTtlMs,
    audit: new AuditPublisher(nc, 'authz'),
    redactor: new AuditRedactor((await readSymmetricKey(config.auditHmacKeyFile)).key),
    region: config.region,
    clock: Date.now,
  });
  const service = await startService(
    nc,
    {
      name: SERVICE_NAMES.authz,
      version: '0.1.0',
      description: 'Authenticates vend requests, decides them, and signs mint orders',
      endpoints: [{ name: 'vend', subject: SUBJECTS.vend, metadata: { schema: 'vend-request.v1' }, handler: (msg, ctx) => handler(msg, ctx.logger) }],
    },
    logger,
  );
  return { logger, shutdown: [() => service.stop(), () => view.close(), () => nc.drain(), () => telemetry.shutdown()] };
});
