#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { AuditPublisher, AuditRedactor, ensureAuditStream } from '@lakegate/audit';
import { CatalogView } from '@lakegate/catalog-store';
import { loadConfigFromEnv, parseList } from '@lakegate/config';
import { connectNats, runMain } from '@lakegate/platform-nats';
import { createLogger, startTelemetry } from '@lakegate/telemetry';
import { readSymmetricKey } from '@lakegate/trust';
import { EDGE_SETTINGS } from './edge.settings.js';
import { oidcVerifier } from './authenticate.js';
import { RateLimiter } from './rate-limiter.js';
import { buildEdgeServer } from './server.js';

runMain('edge', async () => {
  const config = loadConfigFromEnv(EDGE_SETTINGS);
  const logger = createLogger({ service: 'lakegate-edge', level: config.logLevel });
  const telemetry = startTelemetry({ service: 'lakegate-edge', otlpEndpoint: config.otlpEndpoint });
  const nc = await connectNats({ servers: config.natsUrl, name: 'lakegate-edge', credsFile: config.natsCredsFile }, logger);
  await ensureAuditStream(nc, { maxAgeDays: config.auditMaxAgeDays });
  const view = await CatalogView.start(nc, logger);
  const app = await buildEdgeServer({
    nc,
    view,
    audit: new AuditPublisher(nc, 'edge'),
    redactor: new AuditRedactor((await readSymmetricKey(config.auditHmacKeyFile)).key),
    logger,
    region: config.region,
    admins: new Set(parseList(config.admins)),
    vendTimeoutMs: config.vendTimeoutMs,
    bodyLimitBytes: config.bodyLimitBytes,
    readyServices: parseList(config.readyServices),
    benchEcho: config.benchEcho,
    assertionKeys: {
      authz: await readSymmetricKey(config.assertionKeyAuthzFile),
      catalog: await readSymmetricKey(config.assertionKeyCatalogFile),
      audit: await readSymmetricKey(config.assertionKeyAuditFile),
    },
    accessKeySealKeys: config.accessKeySealKeyFile ? [await readSymmetricKey(config.accessKeySealKeyFile)] : [],
    clock: Date.now,
    rateLimiter: new RateLimiter(config.rateLimitPerSecond, config.rateLimitBurst, Date.now),
    oidc: config.oidcIssuer
      ? oidcVerifier({
          issuer: config.oidcIssuer,
          audience: config.oidcAudience,
          jwksUrl: config.oidcJwksUrl ?? `${config.oidcIssuer.replace(/\/$/, '')}/.well-known/jwks.json`,
          principalClaim: config.oidcPrincipalClaim,
        })
      : undefined,
  });
  const address = await app.listen({ host: config.httpHost, port: config.httpPort });
  logger.info({ address }, 'edge listening');
  if (config.httpAddressFile) await writeFile(config.httpAddressFile, `${address}\n`);
  return { logger, shutdown: [() => app.close(), () => view.close(), () => nc.drain(), () => telemetry.shutdown()] };
});
