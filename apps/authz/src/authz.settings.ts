import { ASSERTION_KEY_SETTINGS, AUDIT_STREAM_SETTINGS, COMMON_SETTINGS, setting, Type } from '@lakegate/config';

export const AUTHZ_SETTINGS = {
  ...COMMON_SETTINGS,
  ...AUDIT_STREAM_SETTINGS,
  assertionKeyFile: ASSERTION_KEY_SETTINGS.authz,
  orderSigningKeyFile: setting('LAKEGATE_ORDER_SIGNING_KEY_FILE', Type.String({ minLength: 1 }), 'Ed25519 private key (PEM) that signs mint orders'),
  orderTtlMs: setting('LAKEGATE_ORDER_TTL_MS', Type.Integer({ minimum: 1000, maximum: 60_000, default: 10_000 }), 'how long a signed mint order stays valid'),
};
