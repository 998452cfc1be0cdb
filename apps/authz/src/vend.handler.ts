import { createHash, randomUUID } from 'node:crypto';
import { CODECS, HEADERS, LakegateError, SUBJECTS, toLakegateError, type VendRequest } from '@lakegate/contracts';
import { buildAuditRecord, type AuditPublisher, type AuditRedactor, type AuditUserIdentity } from '@lakegate/audit';
import type { CatalogView } from '@lakegate/catalog-store';
import { auditContextMissing, decideDataLocationsAccess, decideGlueTableAccess, decidePathAccess, decideSharedTableAccess, decideTableAccess, decideVolumeAccess, identityForToken, type Decision } from '@lakegate/domain';
import { FORWARDED, tracedHeaders, type NatsConnection, type ServiceMsg } from '@lakegate/platform-nats';
import type { Logger } from '@lakegate/telemetry';
import { signMintOrder, verifyAssertion, type AssertedIdentity, type SigningKey, type SymmetricKey } from '@lakegate/trust';

export interface VendHandlerDeps {
  nc: NatsConnection;
  view: CatalogView;
  assertionKeys: readonly SymmetricKey[];
  signingKey: SigningKey;
  orderTtlMs: number;
  audit: AuditPublisher;
  redactor: AuditRedactor;
  region: string;
  clock: () => number;
}

/** How long authz waits for its view to reach the revision the edge had seen before it refuses. */
const CATCH_UP_MS = 1_000;

/**
 * Read-your-writes: the edge had seen `revision`, so a change an admin call returned is in it; authz
 * decides on a view at least that new, and refuses (retryably) rather than decide on an older one.
 */
async function catchUp(view: VendHandlerDeps['view'], revision: number | undefined): Promise<void> {
  if (revision === undefined || view.revision >= revision) return;
  try {
    await view.waitFor(revision, CATCH_UP_MS);
  } catch {
    throw new LakegateError('SERVICE_UNAVAILABLE', 'The authorization service is catching up with the catalog; retry.');
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * authz's one endpoint: authenticate the caller, decide, and either end the request with an
 * audited denial or forward a signed order to the cloud's minter with the caller's reply subject.
 */
export function vendHandler(deps: VendHandlerDeps) {
  return async (msg: ServiceMsg, logger: Logger): Promise<Uint8Array | typeof FORWARDED> => {
    const now = deps.clock();
    let request: VendRequest | undefined;
    let identity: AssertedIdentity | undefined;
    try {
      request = CODECS.vendRequest.decode(msg.data);
      await catchUp(deps.view, request.catalogRevision);
      identity = identify(deps, request, now);
      if (!msg.reply) throw new LakegateError('INVALID_ARGUMENT', 'A vend request needs a reply subject.');
      const decision = decide(deps, request, identity);
      if (!decision.allow) throw decision.error;
      const missingContext = auditContextMissing(deps.view.state, identity.principal, request.access, request.auditContext);
      if (missingContext) throw missingContext;
      if (request.dryRun) {
        await deps.audit.publish(
          buildAuditRecord(
            {
              stage: 'authz',
              eventName: request.operation,
              requestId: request.requestId,
              region: deps.region,
              userIdentity: userIdentityOf(identity),
              ...(request.source.ip ? { sourceIPAddress: request.source.ip } : {}),
              ...(request.source.userAgent ? { userAgent: request.source.userAgent } : {}),
              requestParameters: request.requestParameters ?? { target: request.target, access: request.access },
              additionalEventData: { face: request.face, dryRun: true, vendedLocations: decision.scope.locations },
              readOnly: true,
              resources: decision.resources,
            },
            deps.redactor,
          ),
        );
        return CODECS.vendReply.encode({ ok: true, requestId: request.requestId, dryRun: true, cloud: decision.scope.cloud, locations: decision.scope.locations });
      }
      const order = signMintOrder(deps.signingKey, {
        v: 1,
        orderId: randomUUID(),
        requestId: request.requestId,
        replyTo: msg.reply,
        issuedAt: now,
        expiresAt: now + deps.orderTtlMs,
        cloud: decision.scope.cloud,
        face: request.face,
        operation: request.operation,
        principal: identity.principal,
        locations: decision.scope.locations,
        storageCredential: decision.scope.storageCredential,
        ...(request.durationSeconds ? { durationSeconds: request.durationSeconds } : {}),
        audit: {
          userIdentity: { ...userIdentityOf(identity) },
          ...(request.source.ip ? { sourceIPAddress: request.source.ip } : {}),
          ...(request.source.userAgent ? { userAgent: request.source.userAgent } : {}),
          requestParameters: request.requestParameters ?? { target: request.target, access: request.access },
          ...(request.auditContext ? { auditContext: request.auditContext } : {}),
          resources: decision.resources,
        },
      });
      deps.nc.publish(SUBJECTS.mint(decision.scope.cloud), CODECS.signedMintOrder.encode(order), {
        reply: msg.reply,
        headers: tracedHeaders({ [HEADERS.requestId]: request.requestId }),
      });
      return FORWARDED;
    } catch (thrown) {
      const error = toLakegateError(thrown);
      if (error.code === 'INTERNAL') logger.error({ err: thrown }, 'vend failed');
      const requestId = request?.requestId ?? msg.headers?.get(HEADERS.requestId) ?? 'unknown';
      await deps.audit.publish(
        buildAuditRecord(
          {
            stage: 'authz',
            eventName: request?.operation ?? 'Vend',
            requestId,
            region: deps.region,
            userIdentity: identity ? userIdentityOf(identity) : { type: 'Unknown' },
            ...(request?.source.ip ? { sourceIPAddress: request.source.ip } : {}),
            ...(request?.source.userAgent ? { userAgent: request.source.userAgent } : {}),
            requestParameters: request ? (request.requestParameters ?? { target: request.target, access: request.access }) : null,
            additionalEventData: { face: request?.face ?? 'nats', ...(request?.auditContext ? { auditContext: request.auditContext } : {}) },
            error: { code: error.code, message: error.message },
            readOnly: request?.access !== 'write',
            ...(request ? { resources: [resourceOf(request)] } : {}),
          },
          deps.redactor,
        ),
      );
      return CODECS.vendReply.encode({ ok: false, requestId, error: error.toBody() });
    }
  };
}

function identify(deps: VendHandlerDeps, request: VendRequest, now: number): AssertedIdentity {
  if (request.caller.kind === 'assertion') return verifyAssertion(deps.assertionKeys, request, now);
  const found = identityForToken(deps.view.state, sha256(request.caller.token), now);
  if (!found) throw new LakegateError('UNAUTHENTICATED', 'The service token is not valid.');
  return { principal: found.principal, authMethod: 'bearer', credentialId: found.tokenId };
}

function decide(deps: VendHandlerDeps, request: VendRequest, identity: AssertedIdentity): Decision {
  const state = deps.view.state;
  const principal = identity.principal;
  switch (request.target.kind) {
    case 'volume':
      return decideVolumeAccess(state, { principal, volumeId: request.target.volumeId, access: request.access });
    case 'table':
      return decideTableAccess(state, { principal, access: request.access, ...('tableId' in request.target ? { tableId: request.target.tableId } : { fullName: request.target.fullName }) });
    case 'path':
      return decidePathAccess(state, { principal, url: request.target.url, operation: request.target.operation });
    case 'shared-table': {
      const { share, schema, table, location } = request.target;
      return decideSharedTableAccess(state, { principal, share, schema, table, location });
    }
    case 'glue-table': {
      const { tableArn, permissions, supportedPermissionTypes, partitionValues, s3Path } = request.target;
      return decideGlueTableAccess(state, { principal, tableArn, permissions, supportedPermissionTypes, partitionValues, s3Path });
    }
    case 'data-locations':
      return decideDataLocationsAccess(state, { principal, urls: request.target.urls, access: request.access });
  }
}

const userIdentityOf = (identity: AssertedIdentity): AuditUserIdentity => ({
  type: 'LakegatePrincipal',
  principalId: identity.principal,
  userName: identity.principal,
  authMethod: identity.authMethod,
  ...(identity.credentialId ? { accessKeyId: identity.credentialId } : {}),
});

const resourceOf = (request: VendRequest): { type: string; name: string } => {
  switch (request.target.kind) {
    case 'volume':
      return { type: 'volume', name: request.target.volumeId };
    case 'table':
      return { type: 'table', name: 'tableId' in request.target ? request.target.tableId : request.target.fullName };
    case 'path':
      return { type: 'path', name: request.target.url.slice(0, 512) };
    case 'shared-table':
      return { type: 'shared_table', name: `${request.target.share}.${request.target.schema}.${request.target.table}` };
    case 'glue-table':
      return { type: 'glue_table', name: request.target.tableArn.slice(0, 512) };
    case 'data-locations':
      return { type: 'data_location', name: request.target.urls.join(',').slice(0, 512) };
  }
};
