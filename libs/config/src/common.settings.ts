import { Type } from '@sinclair/typebox';
import { setting } from './config.js';

const LogLevel = Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' });

/** Settings every lakegate service reads. */
export const COMMON_SETTINGS = {
  natsUrl: setting('LAKEGATE_NATS_URL', Type.String({ default: 'nats://127.0.0.1:4222', pattern: '^(nats|tls|wss?)://' }), 'NATS server URL(s), comma-separated', { secret: true }),
  natsCredsFile: setting('LAKEGATE_NATS_CREDS', Type.Optional(Type.String()), 'NATS credentials file (JWT + nkey seed)'),
  logLevel: setting('LAKEGATE_LOG_LEVEL', LogLevel, 'log level'),
  otlpEndpoint: setting('LAKEGATE_OTLP_TRACES_URL', Type.Optional(Type.String({ pattern: '^https?://' })), 'OTLP/HTTP traces endpoint; unset = spans are not exported'),
  region: setting('LAKEGATE_REGION', Type.String({ default: 'us-east-1', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$' }), 'region this deployment reports'),
  awsAccountId: setting('LAKEGATE_AWS_ACCOUNT_ID', Type.String({ default: '000000000000', pattern: '^\\d{12}$' }), 'AWS account id this deployment reports'),
  auditHmacKeyFile: setting('LAKEGATE_AUDIT_HMAC_KEY_FILE', Type.String({ minLength: 1 }), 'file holding the key that hashes sensitive audit values'),
} as const;

/** Key files for the identity assertions the edge makes for each receiving service. */
export const ASSERTION_KEY_SETTINGS = {
  authz: setting('LAKEGATE_ASSERTION_KEY_AUTHZ_FILE', Type.String({ minLength: 1 }), 'key file MACing identity assertions between edge and authz'),
  catalog: setting('LAKEGATE_ASSERTION_KEY_CATALOG_FILE', Type.String({ minLength: 1 }), 'key file MACing identity assertions between edge and catalog'),
  audit: setting('LAKEGATE_ASSERTION_KEY_AUDIT_FILE', Type.String({ minLength: 1 }), 'key file MACing identity assertions between edge and audit'),
} as const;

export const AUDIT_STREAM_SETTINGS = {
  auditMaxAgeDays: setting('LAKEGATE_AUDIT_STREAM_MAX_AGE_DAYS', Type.Integer({ minimum: 1, maximum: 3650, default: 30 }), 'days records stay in the audit stream'),
} as const;

/** Metastore admins, set by configuration. */
export const ADMINS_SETTING = setting('LAKEGATE_ADMINS', Type.String({ default: '' }), 'comma-separated principals that are metastore admins');

export const parseList = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);
