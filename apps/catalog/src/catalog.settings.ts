import { ADMINS_SETTING, ASSERTION_KEY_SETTINGS, AUDIT_STREAM_SETTINGS, COMMON_SETTINGS, setting, Type } from '@lakegate/config';

export const CATALOG_SETTINGS = {
  ...COMMON_SETTINGS,
  ...AUDIT_STREAM_SETTINGS,
  assertionKeyFile: ASSERTION_KEY_SETTINGS.catalog,
  admins: ADMINS_SETTING,
  seedFile: setting('LAKEGATE_SEED_FILE', Type.Optional(Type.String({ minLength: 1 })), 'catalog file (YAML or JSON) applied at start-up'),
  demoToken: setting('LAKEGATE_DEMO_TOKEN', Type.Optional(Type.String({ minLength: 16, maxLength: 512 })), "the demo principal's bearer token", { secret: true }),
  adminToken: setting('LAKEGATE_ADMIN_TOKEN', Type.Optional(Type.String({ minLength: 16, maxLength: 512 })), 'bearer token of the first metastore admin', { secret: true }),
  adminPrincipal: setting('LAKEGATE_ADMIN_PRINCIPAL', Type.String({ default: 'admin' }), 'principal that LAKEGATE_ADMIN_TOKEN belongs to (a metastore admin)'),
  accessKeySealKeyFile: setting('LAKEGATE_ACCESS_KEY_SEAL_KEY_FILE', Type.Optional(Type.String({ minLength: 1 })), 'key file sealing the secrets of issued access keys (shared with the edge)'),
  adminAccessKeyId: setting('LAKEGATE_ADMIN_ACCESS_KEY_ID', Type.Optional(Type.String({ pattern: '^LKIA[A-Z0-9]{16}$' })), 'access key id of the first metastore admin (SigV4)'),
  adminSecretAccessKey: setting('LAKEGATE_ADMIN_SECRET_ACCESS_KEY', Type.Optional(Type.String({ minLength: 20, maxLength: 128 })), 'its secret', { secret: true }),
  demoPrincipal: setting('LAKEGATE_DEMO_PRINCIPAL', Type.String({ default: 'demo' }), 'the principal the demo token belongs to'),
};
