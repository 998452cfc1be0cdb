import { ADMINS_SETTING, ASSERTION_KEY_SETTINGS, AUDIT_STREAM_SETTINGS, COMMON_SETTINGS, setting, Type } from '@lakegate/config';

export const EDGE_SETTINGS = {
  ...COMMON_SETTINGS,
  ...AUDIT_STREAM_SETTINGS,
  admins: ADMINS_SETTING,
  httpHost: setting('LAKEGATE_HTTP_HOST', Type.String({ default: '127.0.0.1' }), 'address the HTTP listener binds'),
  httpPort: setting('LAKEGATE_HTTP_PORT', Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }), 'HTTP port'),
  httpAddressFile: setting('LAKEGATE_HTTP_ADDRESS_FILE', Type.Optional(Type.String({ minLength: 1 })), 'file the edge writes its listening URL to once it listens (for LAKEGATE_HTTP_PORT=0)'),
  bodyLimitBytes: setting('LAKEGATE_HTTP_BODY_LIMIT', Type.Integer({ minimum: 1024, maximum: 10_485_760, default: 65_536 }), 'largest request body accepted'),
  vendTimeoutMs: setting('LAKEGATE_VEND_TIMEOUT_MS', Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }), 'how long the edge waits for a vend reply'),
  readyServices: setting(
    'LAKEGATE_READY_SERVICES',
    Type.String({ default: 'lakegate-authz,lakegate-catalog,lakegate-audit,lakegate-minter-aws,lakegate-minter-azure,lakegate-minter-gcp' }),
    'services that must answer a ping before /readyz says ready',
  ),
  benchEcho: setting('LAKEGATE_BENCH_ECHO', Type.Boolean({ default: false }), 'serve POST /api/v1/bench/echo (HTTP → NATS → echo), the benchmark baseline'),
  rateLimitPerSecond: setting('LAKEGATE_RATE_LIMIT_PER_SECOND', Type.Number({ minimum: 0, maximum: 1_000_000, default: 2000 }), 'requests per second per principal (0 = no limit)'),
  rateLimitBurst: setting('LAKEGATE_RATE_LIMIT_BURST', Type.Integer({ minimum: 1, maximum: 10_000_000, default: 4000 }), 'requests a principal may send at once'),
  oidcIssuer: setting('LAKEGATE_OIDC_ISSUER', Type.Optional(Type.String({ pattern: '^https?://' })), 'OIDC issuer whose JWTs are accepted as bearer tokens'),
  oidcAudience: setting('LAKEGATE_OIDC_AUDIENCE', Type.String({ default: 'lakegate' }), 'audience the JWTs must carry'),
  oidcJwksUrl: setting('LAKEGATE_OIDC_JWKS_URL', Type.Optional(Type.String({ pattern: '^https?://' })), "the issuer's JWKS (default <issuer>/.well-known/jwks.json)"),
  oidcPrincipalClaim: setting('LAKEGATE_OIDC_PRINCIPAL_CLAIM', Type.String({ default: 'sub' }), 'claim that names the lakegate principal'),
  accessKeySealKeyFile: setting('LAKEGATE_ACCESS_KEY_SEAL_KEY_FILE', Type.Optional(Type.String({ minLength: 1 })), 'key file sealing the secrets of issued access keys (SigV4 for the AWS faces)'),
  assertionKeyAuthzFile: ASSERTION_KEY_SETTINGS.authz,
  assertionKeyCatalogFile: ASSERTION_KEY_SETTINGS.catalog,
  assertionKeyAuditFile: ASSERTION_KEY_SETTINGS.audit,
};
