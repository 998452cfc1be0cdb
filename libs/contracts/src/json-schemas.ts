import type { TSchema } from '@sinclair/typebox';
import { AuditRecord, LookupEventsRequest, LookupEventsResponse } from './audit.schema.js';
import { SignedMintOrder } from './mint-order.schema.js';
import { VendReply, VendRequest } from './vend.schema.js';

/** The message schemas published as JSON Schema (docs/schemas), keyed by file name. */
export const PUBLISHED_SCHEMAS: Record<string, TSchema> = {
  'vend-request.v1.json': VendRequest,
  'vend-reply.v1.json': VendReply,
  'signed-mint-order.v1.json': SignedMintOrder,
  'audit-record.v1.json': AuditRecord,
  'lookup-events-request.v1.json': LookupEventsRequest,
  'lookup-events-response.v1.json': LookupEventsResponse,
};

/** Plain JSON Schema (draft 2020-12) for one TypeBox schema. */
export function toJsonSchema(schema: TSchema): Record<string, unknown> {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...JSON.parse(JSON.stringify(schema)) };
}
