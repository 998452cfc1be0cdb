import { LakegateError, type Access, type AuditContext } from '@lakegate/contracts';
import type { CatalogState } from './catalog-state.js';
import { principalsOf } from './privileges.js';

/**
 * The metastore can require audit context (who runs what, for which query) for chosen principals
 * or groups, and for every write. A vend that needs it and lacks it is refused before any mint.
 */
export function auditContextMissing(state: CatalogState, principal: string, access: Access, context: AuditContext | undefined): LakegateError | undefined {
  const settings = state.metastore?.value;
  if (!settings) return undefined;
  const present = Boolean(context?.additionalAuditContext || (context?.querySessionContext && Object.keys(context.querySessionContext).length > 0));
  if (present) return undefined;
  if (access === 'write' && settings.audit_context_required_for_writes) {
    return new LakegateError('PERMISSION_DENIED', 'Write credentials require audit context (AdditionalAuditContext or QuerySessionContext) on this metastore.', {
      details: { setting: 'audit_context_required_for_writes' },
    });
  }
  const required = settings.audit_context_required_for ?? [];
  if (required.length > 0) {
    const identities = principalsOf(state, principal);
    const match = required.find((r) => identities.has(r));
    if (match) {
      return new LakegateError('PERMISSION_DENIED', `Requests from '${principal}' require audit context (required for '${match}').`, { details: { setting: 'audit_context_required_for' } });
    }
  }
  return undefined;
}
