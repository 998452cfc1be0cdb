import type { AuditPublisher, AuditRedactor } from '@lakegate/audit';
import type { CatalogView } from '@lakegate/catalog-store';
import type { NatsConnection } from '@lakegate/platform-nats';
import type { Logger } from '@lakegate/telemetry';
import type { SymmetricKey } from '@lakegate/trust';
import type { OidcVerifier } from './authenticate.js';
import type { RateLimiter } from './rate-limiter.js';

/** Everything the edge's routes need, built once in main. */
export interface EdgeContext {
  nc: NatsConnection;
  view: CatalogView;
  audit: AuditPublisher;
  redactor: AuditRedactor;
  logger: Logger;
  region: string;
  admins: ReadonlySet<string>;
  vendTimeoutMs: number;
  bodyLimitBytes: number;
  readyServices: readonly string[];
  benchEcho: boolean;
  assertionKeys: { authz: SymmetricKey; catalog: SymmetricKey; audit: SymmetricKey };
  /** Open the sealed secrets of issued access keys, for SigV4 verification. */
  accessKeySealKeys: readonly SymmetricKey[];
  clock: () => number;
  rateLimiter: RateLimiter;
  /** JWT verification, when an OIDC issuer is configured. */
  oidc?: OidcVerifier | undefined;
}
