import { CODECS, toLakegateError, type AdminRequest } from '@lakegate/contracts';
import { buildAuditRecord, type AuditPublisher, type AuditRedactor } from '@lakegate/audit';
import { runAdminOperation, type AdminContext } from '@lakegate/catalog-store';
import type { ServiceMsg } from '@lakegate/platform-nats';
import type { Logger } from '@lakegate/telemetry';
import { verifyAssertion, type AssertedIdentity, type SymmetricKey } from '@lakegate/trust';

const isReadOnly = (operation: AdminRequest['operation']) => /^(Lf|Glue)?(Get|List|BatchGet)|^Sharing/.test(operation);

/** The API's own operation name: Lake Formation and Glue operations carry a prefix inside lakegate. */
export const eventNameOf = (operation: string) => operation.replace(/^(Lf|Glue)(?=[A-Z])/, '');

/** The API an admin operation came through (the same event name can come from two, e.g. CreateTable). */
const faceOf = (operation: string) => (/^Glue[A-Z]/.test(operation) ? 'glue' : /^Lf[A-Z]/.test(operation) ? 'lake-formation' : /^Sharing[A-Z]/.test(operation) ? 'delta-sharing' : 'admin');

/**
 * Every admin call: verify the asserted caller, run the operation, write its audit record (the
 * catalog ends these requests), then answer. The token a CreateToken returns never reaches the record.
 */
export function adminHandler(deps: AdminContext & { assertionKeys: readonly SymmetricKey[]; audit: AuditPublisher; redactor: AuditRedactor; region: string }) {
  return async (msg: ServiceMsg, logger: Logger): Promise<Uint8Array> => {
    const request = CODECS.adminRequest.decode(msg.data);
    const identity: AssertedIdentity = verifyAssertion(deps.assertionKeys, request, deps.clock());
    let result: unknown;
    let failure;
    try {
      result = await runAdminOperation(deps, identity.principal, request);
    } catch (thrown) {
      failure = toLakegateError(thrown);
      if (failure.code === 'INTERNAL') logger.error({ err: thrown }, 'admin operation failed');
    }
    await deps.audit.publish(
      buildAuditRecord(
        {
          stage: 'catalog',
          eventName: eventNameOf(request.operation),
          requestId: request.requestId,
          region: deps.region,
          userIdentity: { type: 'LakegatePrincipal', principalId: identity.principal, userName: identity.principal, authMethod: identity.authMethod, ...(identity.credentialId ? { accessKeyId: identity.credentialId } : {}) },
          ...(request.source.ip ? { sourceIPAddress: request.source.ip } : {}),
          ...(request.source.userAgent ? { userAgent: request.source.userAgent } : {}),
          requestParameters: { ...request.params, ...(request.body && typeof request.body === 'object' ? { body: request.body as Record<string, unknown> } : {}) },
          responseElements: null,
          additionalEventData: { face: faceOf(request.operation) },
          ...(failure ? { error: { code: failure.code, message: failure.message } } : {}),
          readOnly: isReadOnly(request.operation),
          resources: request.params['full_name'] ? [{ type: request.params['securable_type'] ?? 'unknown', name: request.params['full_name'] }] : [],
        },
        deps.redactor,
      ),
    );
    if (failure) throw failure;
    // A change answers with the revision that holds it: the edge waits for it before replying.
    const revision = isReadOnly(request.operation) ? undefined : await deps.writer.lastRevision();
    return CODECS.adminReply.encode({ ok: true, result, ...(revision === undefined ? {} : { revision }) });
  };
}
