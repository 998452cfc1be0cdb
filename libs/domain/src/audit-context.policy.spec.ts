import { describe, expect, it } from 'vitest';
import { CATALOG_KEYS } from '@lakegate/contracts';
import { auditContextMissing } from './audit-context.policy.js';
import { applyCatalogEntry, emptyCatalogState } from './catalog-state.js';

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

function state(settings: Record<string, unknown>) {
  const s = emptyCatalogState();
  applyCatalogEntry(s, CATALOG_KEYS.metastore, enc({ metastore_id: 'm', name: 'm', region: 'us-east-1', cloud: 'aws', aws_account_id: '000000000000', external_access_enabled: true, ...settings }), 1);
  applyCatalogEntry(s, CATALOG_KEYS.principal('etl'), enc({ name: 'etl', type: 'SERVICE_PRINCIPAL', member_of: ['pipelines'] }), 2);
  applyCatalogEntry(s, CATALOG_KEYS.principal('pipelines'), enc({ name: 'pipelines', type: 'GROUP' }), 3);
  return s;
}

describe('auditContextMissing', () => {
  it('requires nothing by default', () => {
    expect(auditContextMissing(state({}), 'etl', 'write', undefined)).toBeUndefined();
  });

  it('requires context for writes when the metastore says so, and accepts either kind of context', () => {
    const s = state({ audit_context_required_for_writes: true });
    expect(auditContextMissing(s, 'etl', 'write', undefined)?.code).toBe('PERMISSION_DENIED');
    expect(auditContextMissing(s, 'etl', 'write', {})?.code).toBe('PERMISSION_DENIED');
    expect(auditContextMissing(s, 'etl', 'read', undefined)).toBeUndefined();
    expect(auditContextMissing(s, 'etl', 'write', { additionalAuditContext: 'job 7' })).toBeUndefined();
    expect(auditContextMissing(s, 'etl', 'write', { querySessionContext: { QueryId: 'q' } })).toBeUndefined();
  });

  it('requires context for chosen principals, also through their groups', () => {
    const s = state({ audit_context_required_for: ['pipelines'] });
    expect(auditContextMissing(s, 'etl', 'read', undefined)?.message).toContain("required for 'pipelines'");
    expect(auditContextMissing(s, 'someone-else', 'read', undefined)).toBeUndefined();
  });
});
