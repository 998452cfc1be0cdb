import { AuditPublisher, AuditRedactor, ensureAuditStream } from '@lakegate/audit';
import { AUDIT_STREAM_SETTINGS, COMMON_SETTINGS, loadConfigFromEnv, parseList, setting, Type, type ConfigOf, type ConfigSpec } from '@lakegate/config';
import { minterServiceName, type Cloud } from '@lakegate/contracts';
import { connectNats, runMain } from '@lakegate/platform-nats';
import { createLogger, startTelemetry, type Logger } from '@lakegate/telemetry';
import { MintOrderVerifier, readSymmetricKey, readVerifyKey } from '@lakegate/trust';
import { CredentialCache } from './credential-cache.js';
import type { CredentialMinter } from './minter.port.js';
import { startMinterService } from './minter.service.js';

export const MINTER_SETTINGS = {
  ...COMMON_SETTINGS,
  ...AUDIT_STREAM_SETTINGS,
  orderVerifyKeyFiles: setting('LAKEGATE_ORDER_VERIFY_KEY_FILES', Type.String({ minLength: 1 }), 'comma-separated Ed25519 public keys (PEM) of authz; several while keys rotate'),
  cacheMaxEntries: setting('LAKEGATE_CACHE_MAX_ENTRIES', Type.Integer({ minimum: 0, maximum: 10_000_000, default: 10_000 }), 'credentials kept in the shared cache'),
  cacheMinRemainingSeconds: setting('LAKEGATE_CACHE_MIN_REMAINING_SECONDS', Type.Integer({ minimum: 0, maximum: 3600, default: 300 }), 'a cached credential is served only with at least this much life left'),
};

/**
 * The whole main of a minter process: the cloud adapter is the only thing that differs.
 * `cloudSettings` are validated together with the common ones (every problem listed at once);
 * `createMinter` receives the whole config and a logger and returns the adapter.
 */
export function runMinter<Extra extends ConfigSpec>(
  cloud: Cloud,
  cloudSettings: Extra,
  createMinter: (config: ConfigOf<typeof MINTER_SETTINGS & Extra>, logger: Logger) => Promise<CredentialMinter>,
): void {
  const name = minterServiceName(cloud);
  runMain(name, async () => {
    const config = loadConfigFromEnv({ ...MINTER_SETTINGS, ...cloudSettings }) as ConfigOf<typeof MINTER_SETTINGS & Extra>;
    const logger = createLogger({ service: name, level: config.logLevel });
    const telemetry = startTelemetry({ service: name, otlpEndpoint: config.otlpEndpoint });
    const nc = await connectNats({ servers: config.natsUrl, name, credsFile: config.natsCredsFile }, logger);
    await ensureAuditStream(nc, { maxAgeDays: config.auditMaxAgeDays });
    const minter = await createMinter(config, logger);
    const keys = await Promise.all(parseList(config.orderVerifyKeyFiles).map((f) => readVerifyKey(f)));
    const service = await startMinterService({
      nc,
      minter,
      verifier: new MintOrderVerifier({ cloud, keys }),
      cache: new CredentialCache({ maxEntries: config.cacheMaxEntries, minRemainingMs: config.cacheMinRemainingSeconds * 1000 }),
      audit: new AuditPublisher(nc, 'minter'),
      redactor: new AuditRedactor((await readSymmetricKey(config.auditHmacKeyFile)).key),
      region: config.region,
      logger,
      version: '0.1.0',
    });
    return { logger, shutdown: [() => service.stop(), () => nc.drain(), () => telemetry.shutdown()] };
  });
}
