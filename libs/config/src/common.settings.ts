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

export const ASSERTION_KEY_SETTING = setting(
  'LAKEGATE_ASSERTION_KEY_FILE',
  Type.String({ minLength: 1 }),
  'file holding the key edge and authz use to MAC identity assertions',
);
