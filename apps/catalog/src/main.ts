#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { AuditPublisher, AuditRedactor, ensureAuditStream } from '@lakegate/audit';
import { applyPlan, catalogSeedCodec, CatalogView, CatalogWriter, issueAccessKey, openCatalogKv, planSeed, registerToken } from '@lakegate/catalog-store';
import { loadConfigFromEnv, parseList } from '@lakegate/config';
import { CATALOG_KEYS, SERVICE_NAMES, SUBJECTS } from '@lakegate/contracts';
import { connectNats, runMain, startService } from '@lakegate/platform-nats';
import { createLogger, startTelemetry } from '@lakegate/telemetry';
import { readSymmetricKey } from '@lakegate/trust';
import { Value } from '@sinclair/typebox/value';
import { CATALOG_SETTINGS } from './catalog.settings.js';
import { adminHandler } from './admin.handler.js';
import { getTableHandler, getVolumeHandler } from './get-securable.handler.js';

runMain('catalog', async () => {
  const config = loadConfigFromEnv(CATALOG_SETTINGS);
  const logger = createLogger({ service: SERVICE_NAMES.catalog, level: config.logLevel });
  const telemetry = startTelemetry({ service: SERVICE_NAMES.catalog, otlpEndpoint: config.otlpEndpoint });
  const nc = await connectNats({ servers: config.natsUrl, name: SERVICE_NAMES.catalog, credsFile: config.natsCredsFile }, logger);
  const writer = new CatalogWriter(nc, await openCatalogKv(nc));
  const view = await CatalogView.start(nc, logger);
  if (config.seedFile) {
    // The same plan-and-apply as `lakegate apply`: a restart with an unchanged file writes nothing.
    const raw: unknown = parse(await readFile(config.seedFile, 'utf8'));
    const seed = catalogSeedCodec.check(Value.Default(catalogSeedCodec.schema, raw));
    // Another replica may apply the same file at the same time: on a lost race, plan again.
    for (let attempt = 1; ; attempt++) {
      try {
        const { written, lastRevision } = await applyPlan(writer, planSeed(view.state, seed, Date.now()));
        if (lastRevision) await view.waitFor(lastRevision);
        logger.info({ file: config.seedFile, written }, 'catalog file applied');
        break;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= 5 || (code !== 'CONFLICT' && code !== 'ALREADY_EXISTS')) throw error;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }
  if (config.demoToken) {
    await registerToken(writer, { principal: config.demoPrincipal, tokenId: 'demo-token', token: config.demoToken, now: Date.now() });
  }
  if (config.adminToken) {
    // The first admin: its principal exists, and its bootstrap token is registered (by hash).
    await writer.upsert(CATALOG_KEYS.principal(config.adminPrincipal), { name: config.adminPrincipal, type: 'USER' });
    await registerToken(writer, { principal: config.adminPrincipal, tokenId: 'bootstrap-admin-token', token: config.adminToken, now: Date.now() });
  }
  await ensureAuditStream(nc, { maxAgeDays: config.auditMaxAgeDays });
  const accessKeySealKey = config.accessKeySealKeyFile ? await readSymmetricKey(config.accessKeySealKeyFile) : undefined;
  const admins = new Set([...parseList(config.admins), ...(config.adminToken ? [config.adminPrincipal] : [])]);
  const handlerDeps = { view, assertionKeys: [await readSymmetricKey(config.assertionKeyFile)], admins, clock: Date.now };
  if (config.adminAccessKeyId && config.adminSecretAccessKey) {
    await issueAccessKey({ writer, view, accessKeySealKey, clock: Date.now }, config.adminPrincipal, { accessKeyId: config.adminAccessKeyId, secretAccessKey: config.adminSecretAccessKey });
  }
  const admin = adminHandler({
    ...handlerDeps,
    writer,
    accessKeySealKey,
    audit: new AuditPublisher(nc, 'catalog'),
    redactor: new AuditRedactor((await readSymmetricKey(config.auditHmacKeyFile)).key),
    region: config.region,
  });
  const service = await startService(
    nc,
    {
      name: SERVICE_NAMES.catalog,
      version: '0.1.0',
      description: 'Owns catalog, principal and grant state',
      endpoints: [
        { name: 'get-volume', subject: SUBJECTS.catalogGetVolume, handler: getVolumeHandler(handlerDeps) },
        { name: 'get-table', subject: SUBJECTS.catalogGetTable, handler: getTableHandler(handlerDeps) },
        { name: 'admin', subject: SUBJECTS.catalogAdmin, handler: (msg, ctx) => admin(msg, ctx.logger) },
      ],
    },
    logger,
  );
  return { logger, shutdown: [() => service.stop(), () => view.close(), () => nc.drain(), () => telemetry.shutdown()] };
});
