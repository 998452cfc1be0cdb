#!/usr/bin/env node
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureAuditStream } from '@lakegate/audit';
import { openSqliteAuditStore } from '@lakegate/audit-store';
import { loadConfigFromEnv, parseList } from '@lakegate/config';
import { SERVICE_NAMES, SUBJECTS } from '@lakegate/contracts';
import { connectNats, runMain, startService } from '@lakegate/platform-nats';
import { createLogger, startTelemetry } from '@lakegate/telemetry';
import { readSymmetricKey } from '@lakegate/trust';
import { AUDIT_SETTINGS } from './audit.settings.js';
import { startIndexer } from './indexer.js';
import { lookupHandler } from './lookup.handler.js';

runMain('audit', async () => {
  const config = loadConfigFromEnv(AUDIT_SETTINGS);
  const logger = createLogger({ service: SERVICE_NAMES.audit, level: config.logLevel });
  const telemetry = startTelemetry({ service: SERVICE_NAMES.audit, otlpEndpoint: config.otlpEndpoint });
  mkdirSync(dirname(config.databasePath), { recursive: true });
  const store = openSqliteAuditStore(config.databasePath);
  const chain = store.verifyChain();
  if (!chain.ok) logger.error({ brokenAt: chain.brokenAt, checked: chain.checked }, 'the audit digest chain does not verify: the index was altered');
  const nc = await connectNats({ servers: config.natsUrl, name: SERVICE_NAMES.audit, credsFile: config.natsCredsFile }, logger);
  await ensureAuditStream(nc, { maxAgeDays: config.auditMaxAgeDays });
  const indexer = await startIndexer(nc, store, logger);
  const service = await startService(
    nc,
    {
      name: SERVICE_NAMES.audit,
      version: '0.1.0',
      description: 'Indexes the audit stream and answers CloudTrail-style lookups',
      endpoints: [
        {
          name: 'lookup-events',
          subject: SUBJECTS.auditLookup,
          handler: lookupHandler({ store, assertionKeys: [await readSymmetricKey(config.assertionKeyFile)], admins: new Set(parseList(config.admins)), clock: Date.now }),
        },
      ],
    },
    logger,
  );
  return { logger, shutdown: [() => service.stop(), () => indexer.stop(), () => nc.drain(), () => store.close(), () => telemetry.shutdown()] };
});
