export * from './subjects.js';
export * from './headers.js';
export * from './errors.js';
export * from './canonical-json.js';
export * from './codec.js';
export * from './common.schema.js';
export * from './vend.schema.js';
export * from './mint-order.schema.js';
export * from './audit.schema.js';
export * from './catalog.schema.js';
export * from './json-schemas.js';
export * from './admin.schema.js';

import { codec } from './codec.js';
import { AuditLookupQuery, AuditRecord, LookupEventsRequest, LookupEventsResponse } from './audit.schema.js';
import { ErrorBodySchema, ResultReply } from './common.schema.js';
import { AdminRequest } from './admin.schema.js';
import { Type } from '@sinclair/typebox';
import { GetVolumeRequest, TableInfo, VolumeInfo } from './catalog.schema.js';
import { SignedMintOrder } from './mint-order.schema.js';
import { VendReply, VendRequest } from './vend.schema.js';

/** Compiled codecs for every message that crosses NATS. */
export const CODECS = {
  vendRequest: codec(VendRequest),
  vendReply: codec(VendReply),
  signedMintOrder: codec(SignedMintOrder),
  auditRecord: codec(AuditRecord),
  lookupEventsRequest: codec(LookupEventsRequest),
  lookupEventsResponse: codec(LookupEventsResponse),
  getVolumeRequest: codec(GetVolumeRequest),
  getVolumeReply: codec(ResultReply(VolumeInfo)),
  /** Same request shape as volumes: `{requestId, caller, fullName}`. */
  getTableRequest: codec(GetVolumeRequest),
  getTableReply: codec(ResultReply(TableInfo)),
  auditLookupQuery: codec(AuditLookupQuery),
  adminRequest: codec(AdminRequest),
  /** `revision`: the catalog revision that holds the change, for the edge to wait on before it answers. */
  adminReply: codec(
    Type.Union([
      Type.Object({ ok: Type.Literal(true), result: Type.Unknown(), revision: Type.Optional(Type.Integer({ minimum: 0 })) }),
      Type.Object({ ok: Type.Literal(false), requestId: Type.String(), error: ErrorBodySchema }),
    ]),
  ),
  auditLookupReply: codec(ResultReply(LookupEventsResponse)),
};
