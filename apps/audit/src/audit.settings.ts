import { ADMINS_SETTING, ASSERTION_KEY_SETTINGS, AUDIT_STREAM_SETTINGS, COMMON_SETTINGS, setting, Type } from '@lakegate/config';

export const AUDIT_SETTINGS = {
  ...COMMON_SETTINGS,
  ...AUDIT_STREAM_SETTINGS,
  admins: ADMINS_SETTING,
  assertionKeyFile: ASSERTION_KEY_SETTINGS.audit,
  databasePath: setting('LAKEGATE_AUDIT_DB', Type.String({ default: './.lakegate/audit.sqlite' }), 'SQLite file of the audit index'),
};
