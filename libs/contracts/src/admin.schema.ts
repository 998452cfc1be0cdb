import { Type, type Static } from '@sinclair/typebox';
import { IdentityAssertion } from './vend.schema.js';

/** Catalog administration operations the edge forwards to the catalog service. */
export const ADMIN_OPERATIONS = [
  'GetMetastoreSummary',
  'UpdateMetastore',
  'GetPermissions',
  'UpdatePermissions',
  'CreatePrincipal',
  'AddGroupMember',
  'RemoveGroupMember',
  'CreateToken',
  'RevokeToken',
  'CreateAccessKey',
  'RevokeAccessKey',
  'ApplyCatalog',
  'ExportCatalog',
  'CreateCatalog',
  'ListCatalogs',
  'GetCatalog',
  'UpdateCatalog',
  'DeleteCatalog',
  'CreateSchema',
  'ListSchemas',
  'GetSchema',
  'UpdateSchema',
  'DeleteSchema',
  'CreateTable',
  'ListTables',
  'DeleteTable',
  'CreateVolume',
  'ListVolumes',
  'UpdateVolume',
  'DeleteVolume',
  'CreateStorageCredential',
  'ListStorageCredentials',
  'GetStorageCredential',
  'DeleteStorageCredential',
  'CreateExternalLocation',
  'ListExternalLocations',
  'GetExternalLocation',
  'DeleteExternalLocation',
  'CreateShare',
  'GetShare',
  'UpdateShare',
  'CreateRecipient',
  'SharingListShares',
  'SharingGetShare',
  'SharingListSchemas',
  'SharingListTables',
  'SharingListAllTables',
  'SharingGetTableMetadata',
] as const;
export type AdminOperation = (typeof ADMIN_OPERATIONS)[number];

export const AdminRequest = Type.Object(
  {
    requestId: Type.String({ maxLength: 64 }),
    caller: IdentityAssertion,
    operation: Type.Union(ADMIN_OPERATIONS.map((o) => Type.Literal(o))),
    /** Path and query parameters, as strings. */
    params: Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 1024 }), { maxProperties: 16 }),
    body: Type.Optional(Type.Unknown()),
    source: Type.Object({ ip: Type.Optional(Type.String({ maxLength: 64 })), userAgent: Type.Optional(Type.String({ maxLength: 1024 })) }, { additionalProperties: false }),
  },
  { $id: 'AdminRequest', additionalProperties: false },
);
export type AdminRequest = Static<typeof AdminRequest>;
