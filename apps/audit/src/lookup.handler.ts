import { CODECS, LakegateError } from '@lakegate/contracts';
import type { AuditStore } from '@lakegate/audit-store';
import type { ServiceMsg } from '@lakegate/platform-nats';
import { verifyAssertion, type SymmetricKey } from '@lakegate/trust';

/** CloudTrail `LookupEvents` for metastore admins, whose identity the edge asserted. */
export function lookupHandler(deps: { store: AuditStore; assertionKeys: readonly SymmetricKey[]; admins: ReadonlySet<string>; clock: () => number }) {
  return async (msg: ServiceMsg): Promise<Uint8Array> => {
    const request = CODECS.auditLookupQuery.decode(msg.data);
    const { principal } = verifyAssertion(deps.assertionKeys, request, deps.clock());
    if (!deps.admins.has(principal)) throw new LakegateError('PERMISSION_DENIED', `User '${principal}' is not a metastore admin and cannot read the audit log.`);
    return CODECS.auditLookupReply.encode({ ok: true, result: deps.store.lookup(request.query) });
  };
}
