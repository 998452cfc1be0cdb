import { Type, type Static } from '@sinclair/typebox';
import { IdentityAssertion } from './vend.schema.js';

export const AUDIT_EVENT_VERSION = '1.0';
export const AUDIT_EVENT_SOURCE = 'lakegate.amazonaws.com';

/** One CloudTrail-like record per API call. Holds no secret: sensitive strings are `hmac-sha256:<hex>`. */
export const AuditRecord = Type.Object(
  {
    eventVersion: Type.String(),
    eventID: Type.String(),
    eventTime: Type.String({ description: 'ISO-8601' }),
    eventSource: Type.String(),
    eventName: Type.String(),
    region: Type.String(),
    userIdentity: Type.Record(Type.String(), Type.Unknown()),
    sourceIPAddress: Type.Optional(Type.String()),
    userAgent: Type.Optional(Type.String()),
    requestParameters: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    responseElements: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    additionalEventData: Type.Record(Type.String(), Type.Unknown()),
    errorCode: Type.Optional(Type.String()),
    errorMessage: Type.Optional(Type.String()),
    requestID: Type.String(),
    readOnly: Type.Boolean(),
    eventType: Type.String(),
    resources: Type.Array(Type.Object({ type: Type.String(), name: Type.String() })),
    stage: Type.String(),
  },
  { $id: 'AuditRecord', additionalProperties: false },
);
export type AuditRecord = Static<typeof AuditRecord>;

export const LOOKUP_ATTRIBUTE_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'] as const;
export type LookupAttributeKey = (typeof LOOKUP_ATTRIBUTE_KEYS)[number];

/** CloudTrail `LookupEvents` request. */
export const LookupEventsRequest = Type.Object(
  {
    LookupAttributes: Type.Optional(
      Type.Array(
        Type.Object(
          {
            AttributeKey: Type.Union(LOOKUP_ATTRIBUTE_KEYS.map((k) => Type.Literal(k))),
            AttributeValue: Type.String({ minLength: 1, maxLength: 2000 }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 1 },
      ),
    ),
    StartTime: Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 64 })])),
    EndTime: Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 64 })])),
    MaxResults: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    NextToken: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { $id: 'LookupEventsRequest', additionalProperties: false },
);
export type LookupEventsRequest = Static<typeof LookupEventsRequest>;

export const LookupEventsResponse = Type.Object(
  {
    Events: Type.Array(
      Type.Object({
        EventId: Type.String(),
        EventName: Type.String(),
        ReadOnly: Type.String(),
        AccessKeyId: Type.Optional(Type.String()),
        EventTime: Type.Number({ description: 'epoch seconds' }),
        EventSource: Type.String(),
        Username: Type.Optional(Type.String()),
        Resources: Type.Array(Type.Object({ ResourceType: Type.String(), ResourceName: Type.String() })),
        CloudTrailEvent: Type.String(),
      }),
    ),
    NextToken: Type.Optional(Type.String()),
  },
  { $id: 'LookupEventsResponse' },
);
export type LookupEventsResponse = Static<typeof LookupEventsResponse>;

/** A lookup as the edge forwards it to the audit service, with the caller's asserted identity. */
export const AuditLookupQuery = Type.Object(
  { requestId: Type.String({ maxLength: 64 }), caller: IdentityAssertion, query: LookupEventsRequest },
  { $id: 'AuditLookupQuery', additionalProperties: false },
);
export type AuditLookupQuery = Static<typeof AuditLookupQuery>;
