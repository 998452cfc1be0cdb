import { Type, type Static } from '@sinclair/typebox';
import { Access, CloudName, ErrorBodySchema, StorageLocation } from './common.schema.js';

export const VEND_SCHEMA_VERSION = 1 as const;

export const Faces = Type.Union(
  [Type.Literal('unity-catalog'), Type.Literal('lake-formation'), Type.Literal('delta-sharing'), Type.Literal('iceberg'), Type.Literal('nats')],
  { $id: 'Face' },
);
export type Face = Static<typeof Faces>;

/**
 * An identity the edge has already authenticated, bound to one request by a MAC that only
 * the edge and authz can compute (see `@lakegate/trust`).
 */
export const IdentityAssertion = Type.Object(
  {
    kind: Type.Literal('assertion'),
    principal: Type.String({ minLength: 1, maxLength: 256 }),
    authMethod: Type.Union([Type.Literal('bearer'), Type.Literal('jwt'), Type.Literal('sigv4')]),
    /** Access key or token id that authenticated the caller (never the secret). */
    credentialId: Type.Optional(Type.String({ maxLength: 128 })),
    issuedAt: Type.Integer({ description: 'epoch ms' }),
    keyId: Type.String({ maxLength: 64 }),
    mac: Type.String({ maxLength: 128 }),
  },
  { $id: 'IdentityAssertion', additionalProperties: false },
);
export type IdentityAssertion = Static<typeof IdentityAssertion>;

/** The caller's own credential (a lakegate service or user token), verified by authz itself. */
export const CallerCredential = Type.Object(
  { kind: Type.Literal('token'), token: Type.String({ minLength: 16, maxLength: 512 }) },
  { $id: 'CallerCredential', additionalProperties: false },
);
export type CallerCredential = Static<typeof CallerCredential>;

export const Caller = Type.Union([IdentityAssertion, CallerCredential], { $id: 'Caller' });
export type Caller = Static<typeof Caller>;

export const VolumeTarget = Type.Object(
  { kind: Type.Literal('volume'), volumeId: Type.String({ minLength: 1, maxLength: 256 }) },
  { $id: 'VolumeTarget', additionalProperties: false },
);

/** A table by id (Unity Catalog) or by full name `catalog.schema.table` (Iceberg, Glue). */
export const TableTarget = Type.Union(
  [
    Type.Object({ kind: Type.Literal('table'), tableId: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('table'), fullName: Type.String({ minLength: 5, maxLength: 1024 }) }, { additionalProperties: false }),
  ],
  { $id: 'TableTarget' },
);

export const PathTarget = Type.Object(
  {
    kind: Type.Literal('path'),
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    /** read, read-write, or create-table (which also writes). */
    operation: Type.Union([Type.Literal('read'), Type.Literal('read-write'), Type.Literal('create-table')]),
  },
  { $id: 'PathTarget', additionalProperties: false },
);

/** A Delta Sharing table, by its share-level names (case-insensitive), optionally one of its locations. */
export const SharedTableTarget = Type.Object(
  {
    kind: Type.Literal('shared-table'),
    share: Type.String({ minLength: 1, maxLength: 255 }),
    schema: Type.String({ minLength: 1, maxLength: 255 }),
    table: Type.String({ minLength: 1, maxLength: 255 }),
    location: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  },
  { $id: 'SharedTableTarget', additionalProperties: false },
);

export const LF_PERMISSIONS = ['ALL', 'SELECT', 'ALTER', 'DROP', 'DELETE', 'INSERT', 'DESCRIBE', 'CREATE_DATABASE', 'CREATE_TABLE', 'DATA_LOCATION_ACCESS', 'CREATE_LF_TAG', 'ASSOCIATE', 'GRANT_WITH_LF_TAG_EXPRESSION', 'CREATE_LF_TAG_EXPRESSION', 'CREATE_CATALOG', 'SUPER_USER'] as const;
export const LF_PERMISSION_TYPES = ['COLUMN_PERMISSION', 'CELL_FILTER_PERMISSION', 'NESTED_PERMISSION', 'NESTED_CELL_PERMISSION'] as const;

/** A Glue table by ARN (Lake Formation), with the request's permission filters; optionally one partition. */
export const GlueTableTarget = Type.Object(
  {
    kind: Type.Literal('glue-table'),
    tableArn: Type.String({ minLength: 1, maxLength: 1024 }),
    partitionValues: Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), { minItems: 1, maxItems: 100 })),
    permissions: Type.Optional(Type.Array(Type.Union(LF_PERMISSIONS.map((p) => Type.Literal(p))), { maxItems: 32 })),
    supportedPermissionTypes: Type.Optional(Type.Array(Type.Union(LF_PERMISSION_TYPES.map((p) => Type.Literal(p))), { maxItems: 8 })),
    s3Path: Type.Optional(Type.String({ maxLength: 2048 })),
  },
  { $id: 'GlueTableTarget', additionalProperties: false },
);

/** Registered data locations (Lake Formation `GetTemporaryDataLocationCredentials`). */
export const DataLocationsTarget = Type.Object(
  { kind: Type.Literal('data-locations'), urls: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { minItems: 1, maxItems: 32 }) },
  { $id: 'DataLocationsTarget', additionalProperties: false },
);

export const VendTarget = Type.Union([VolumeTarget, TableTarget, PathTarget, SharedTableTarget, GlueTableTarget, DataLocationsTarget], { $id: 'VendTarget' });
export type VendTarget = Static<typeof VendTarget>;

export const AuditContext = Type.Object(
  {
    additionalAuditContext: Type.Optional(Type.String({ maxLength: 2048, pattern: '^[^\\u0000-\\u001f\\u007f]*$' })),
    querySessionContext: Type.Optional(
      Type.Record(Type.String({ maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' }), Type.String({ maxLength: 2048, pattern: '^[^\\u0000-\\u001f\\u007f]*$' }), { maxProperties: 16 }),
    ),
  },
  { $id: 'AuditContext', additionalProperties: false },
);
export type AuditContext = Static<typeof AuditContext>;

/** The canonical request every API face is translated into. */
export const VendRequest = Type.Object(
  {
    v: Type.Literal(VEND_SCHEMA_VERSION),
    requestId: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
    face: Faces,
    operation: Type.String({ minLength: 1, maxLength: 128 }),
    caller: Caller,
    target: VendTarget,
    access: Access,
    durationSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 43_200 })),
    auditContext: Type.Optional(AuditContext),
    requestParameters: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'The face request as received, without secrets.' })),
    source: Type.Object(
      { ip: Type.Optional(Type.String({ maxLength: 64 })), userAgent: Type.Optional(Type.String({ maxLength: 1024 })) },
      { additionalProperties: false },
    ),
    dryRun: Type.Optional(Type.Boolean()),
    catalogRevision: Type.Optional(
      Type.Integer({ minimum: 0, description: 'The catalog revision the edge had seen: authz decides on a view at least this new, so a change an admin call returned is in effect (read-your-writes).' }),
    ),
  },
  { $id: 'VendRequest', additionalProperties: false },
);
export type VendRequest = Static<typeof VendRequest>;

export const AwsSessionCredential = Type.Object(
  { accessKeyId: Type.String(), secretAccessKey: Type.String(), sessionToken: Type.String() },
  { additionalProperties: false },
);

export const VendedCredential = Type.Object(
  {
    cloud: CloudName,
    aws: Type.Optional(AwsSessionCredential),
    azure: Type.Optional(Type.Object({ sasToken: Type.String(), accountHost: Type.String() }, { additionalProperties: false })),
    gcp: Type.Optional(Type.Object({ oauthToken: Type.String() }, { additionalProperties: false })),
    /** epoch ms */
    expiresAt: Type.Integer(),
  },
  { $id: 'VendedCredential', additionalProperties: false },
);
export type VendedCredential = Static<typeof VendedCredential>;

export const VendSuccess = Type.Object(
  {
    ok: Type.Literal(true),
    requestId: Type.String(),
    credential: VendedCredential,
    /** Exactly what the credential reaches. */
    locations: Type.Array(StorageLocation),
    cacheHit: Type.Boolean(),
  },
  { $id: 'VendSuccess', additionalProperties: false },
);
export type VendSuccess = Static<typeof VendSuccess>;

export const VendFailure = Type.Object(
  { ok: Type.Literal(false), requestId: Type.String(), error: ErrorBodySchema },
  { $id: 'VendFailure', additionalProperties: false },
);
export type VendFailure = Static<typeof VendFailure>;

/** The answer to a dry run: the decision and the exact scope, no credential. */
export const VendDryRun = Type.Object(
  { ok: Type.Literal(true), requestId: Type.String(), dryRun: Type.Literal(true), cloud: CloudName, locations: Type.Array(StorageLocation) },
  { $id: 'VendDryRun', additionalProperties: false },
);
export type VendDryRun = Static<typeof VendDryRun>;

export const VendReply = Type.Union([VendSuccess, VendDryRun, VendFailure], { $id: 'VendReply' });
export type VendReply = Static<typeof VendReply>;
