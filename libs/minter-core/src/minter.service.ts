import { canonicalJson, CODECS, HEADERS, LakegateError, SUBJECTS, minterServiceName, toLakegateError, type MintOrder, type VendReply } from '@lakegate/contracts';
import { buildAuditRecord, responseElementsForCredential, type AuditPublisher, type AuditRedactor } from '@lakegate/audit';
import type { MintOrderVerifier } from '@lakegate/trust';
import { FORWARDED, startService, type NatsConnection, type Service, type ServiceMsg } from '@lakegate/platform-nats';
import type { Logger } from '@lakegate/telemetry';
import type { CredentialCache } from './credential-cache.js';
import { clampDuration } from './duration.js';
import type { CredentialMinter } from './minter.port.js';

export interface MinterServiceOptions {
  nc: NatsConnection;
  minter: CredentialMinter;
  verifier: MintOrderVerifier;
  cache: CredentialCache;
  audit: AuditPublisher;
  redactor: AuditRedactor;
  region: string;
  logger: Logger;
  version: string;
}

/** The cache key: exact scope (sorted), storage credential with its revision, access per location. */
export const cacheKeyOf = (order: MintOrder): string =>
  canonicalJson({
    cloud: order.cloud,
    credential: [order.storageCredential.name, order.storageCredential.revision],
    locations: [...order.locations].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : a.access < b.access ? -1 : 1)),
  });

/**
 * A minter worker: verifies each signed order, serves it from the shared cache or mints once
 * upstream, writes the audit record and waits for its ack, then answers the caller's inbox.
 * No ack, no credential.
 */
export async function startMinterService(options: MinterServiceOptions): Promise<Service> {
  const { minter, logger } = options;
  const cloud = minter.capabilities.cloud;
  const subject = SUBJECTS.mint(cloud);
  return startService(
    options.nc,
    {
      name: minterServiceName(cloud),
      version: options.version,
      description: `Mints ${cloud} credentials for signed mint orders`,
      metadata: { cloud, revocable: String(minter.capabilities.revocable) },
      endpoints: [
        {
          name: 'mint',
          subject,
          handler: async (msg, ctx) => {
            const reply = await handleOrder(options, msg, ctx.logger);
            msg.respond(CODECS.vendReply.encode(reply));
            return FORWARDED;
          },
        },
      ],
    },
    logger,
  );
}

async function handleOrder(options: MinterServiceOptions, msg: ServiceMsg, logger: Logger): Promise<VendReply> {
  const requestId = msg.headers?.get(HEADERS.requestId) || 'unknown';
  let order: MintOrder;
  try {
    order = options.verifier.verify(CODECS.signedMintOrder.decode(msg.data), msg.reply);
  } catch (thrown) {
    const error = toLakegateError(thrown);
    logger.warn({ code: error.code, reason: error.message }, 'refused a mint order');
    const failure = new LakegateError('ORDER_REJECTED', error.code === 'ORDER_REJECTED' ? error.message : 'Mint order refused: it is malformed.');
    await options.audit.publish(
      buildAuditRecord(
        {
          stage: 'minter',
          eventName: 'MintOrderRejected',
          requestId,
          region: options.region,
          userIdentity: { type: 'Unknown' },
          requestParameters: null,
          error: { code: failure.code, message: failure.message },
          readOnly: false,
        },
        options.redactor,
      ),
    );
    return { ok: false, requestId, error: failure.toBody() };
  }

  const durationSeconds = clampDuration(order.durationSeconds, options.minter.capabilities);
  let outcome: Awaited<ReturnType<CredentialCache['getOrMint']>> | undefined;
  let failure: LakegateError | undefined;
  try {
    outcome = await options.cache.getOrMint(cacheKeyOf(order), order.storageCredential, () =>
      options.minter.mint({
        requestId: order.requestId,
        principal: order.principal,
        locations: order.locations,
        storageCredential: order.storageCredential,
        durationSeconds,
      }),
    );
  } catch (thrown) {
    failure = toLakegateError(thrown);
    if (failure.code === 'INTERNAL') logger.error({ err: thrown }, 'mint failed');
  }

  const record = buildAuditRecord(
    {
      stage: 'minter',
      eventName: order.operation,
      requestId: order.requestId,
      region: options.region,
      userIdentity: order.audit.userIdentity as never,
      ...(order.audit.sourceIPAddress ? { sourceIPAddress: order.audit.sourceIPAddress } : {}),
      ...(order.audit.userAgent ? { userAgent: order.audit.userAgent } : {}),
      requestParameters: order.audit.requestParameters,
      responseElements: outcome ? responseElementsForCredential(outcome.result.credential, order.locations) : null,
      additionalEventData: {
        face: order.face,
        vendedLocations: order.locations,
        storageCredentialName: order.storageCredential.name,
        durationSeconds,
        ...(outcome ? { cacheHit: outcome.cacheHit } : {}),
        ...(outcome?.result.upstreamRequestId ? { upstreamRequestId: outcome.result.upstreamRequestId } : {}),
        ...(order.audit.auditContext ? { auditContext: order.audit.auditContext } : {}),
      },
      ...(failure ? { error: { code: failure.code, message: failure.message } } : {}),
      readOnly: order.locations.every((l) => l.access === 'read'),
      resources: order.audit.resources,
    },
    options.redactor,
  );
  await options.audit.publish(record);
  if (!outcome) return { ok: false, requestId: order.requestId, error: failure!.toBody() };
  return { ok: true, requestId: order.requestId, credential: outcome.result.credential, locations: order.locations, cacheHit: outcome.cacheHit };
}
