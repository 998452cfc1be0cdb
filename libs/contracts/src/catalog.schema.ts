import { Type, type Static } from '@sinclair/typebox';
import { IdentityAssertion } from './vend.schema.js';

/**
 * Catalog state as it is kept in the JetStream KV bucket (snake_case, as Unity Catalog's API).
 * Secrets are never stored: tokens by their SHA-256, roles by ARN only.
 */
export const MetastoreSettings = Type.Object(
  {
    metastore_id: Type.String(),
    name: Type.String(),
    region: Type.String(),
    cloud: Type.Union([Type.Literal('aws'), Type.Literal('azure'), Type.Literal('gcp')]),
    aws_account_id: Type.String(),
    external_access_enabled: Type.Boolean(),
    /** The catalog the AWS faces see as the Glue Data Catalog (Glue databases are its schemas). */
    aws_glue_catalog: Type.Optional(Type.String()),
    /** Lake Formation data-lake setting: allow full-table credential vending to external engines. */
    allow_full_table_external_data_access: Type.Optional(Type.Boolean()),
    /** Vends for these principals (or their groups) must carry audit context. */
    audit_context_required_for: Type.Optional(Type.Array(Type.String())),
    /** Every write-scoped vend must carry audit context. */
    audit_context_required_for_writes: Type.Optional(Type.Boolean()),
  },
  { $id: 'MetastoreSettings', additionalProperties: false },
);
export type MetastoreSettings = Static<typeof MetastoreSettings>;

/** A RECIPIENT is a Delta Sharing recipient: it authenticates with its profile's bearer token. */
export const PRINCIPAL_TYPES = ['USER', 'GROUP', 'SERVICE_PRINCIPAL', 'RECIPIENT'] as const;
export const Principal = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 256 }),
    type: Type.Union(PRINCIPAL_TYPES.map((t) => Type.Literal(t))),
    member_of: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'Principal', additionalProperties: false },
);
export type Principal = Static<typeof Principal>;

export const TokenRecord = Type.Object(
  {
    token_id: Type.String(),
    principal: Type.String(),
    /** SHA-256 (hex) of the bearer token; the token itself is shown once and never stored. */
    token_sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    created_at: Type.Integer(),
    expires_at: Type.Optional(Type.Integer()),
    revoked: Type.Optional(Type.Boolean()),
  },
  { $id: 'TokenRecord', additionalProperties: false },
);
export type TokenRecord = Static<typeof TokenRecord>;

/**
 * An access key lakegate issued (SigV4 for the AWS faces); the secret is sealed (AES-256-GCM), never in
 * clear. Temporary keys (`LSIA…`, like STS's `ASIA…`) also need their session token, kept by its
 * SHA-256, and expire.
 */
export const AccessKeyRecord = Type.Object(
  {
    access_key_id: Type.String({ pattern: '^L[KS]IA[A-Z0-9]{16}$' }),
    principal: Type.String(),
    secret_sealed: Type.String(),
    created_at: Type.Integer(),
    revoked: Type.Optional(Type.Boolean()),
    session_token_sha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
    expires_at: Type.Optional(Type.Integer()),
  },
  { $id: 'AccessKeyRecord', additionalProperties: false },
);
export type AccessKeyRecord = Static<typeof AccessKeyRecord>;

export const StorageCredential = Type.Object(
  {
    name: Type.String(),
    owner: Type.String(),
    aws_iam_role: Type.Optional(Type.Object({ role_arn: Type.String(), external_id: Type.Optional(Type.String()) }, { additionalProperties: false })),
    /** An Entra ID service principal; its secret lives with the Azure minter, never in the catalog. */
    azure_service_principal: Type.Optional(
      Type.Object(
        { directory_id: Type.String(), application_id: Type.String(), hierarchical_namespace: Type.Optional(Type.Boolean()) },
        { additionalProperties: false },
      ),
    ),
    /** A GCP service account the GCP minter impersonates. */
    gcp_service_account: Type.Optional(Type.Object({ email: Type.String() }, { additionalProperties: false })),
    comment: Type.Optional(Type.String()),
  },
  { $id: 'StorageCredential', additionalProperties: false },
);
export type StorageCredential = Static<typeof StorageCredential>;

export const ExternalLocation = Type.Object(
  {
    name: Type.String(),
    url: Type.String(),
    credential_name: Type.String(),
    owner: Type.String(),
    comment: Type.Optional(Type.String()),
    /** The cloud region the storage lives in; the metastore's region when absent. Lake Formation refuses other regions. */
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$' })),
  },
  { $id: 'ExternalLocation', additionalProperties: false },
);
export type ExternalLocation = Static<typeof ExternalLocation>;

export const CatalogInfo = Type.Object(
  { name: Type.String(), owner: Type.String(), comment: Type.Optional(Type.String()), created_at: Type.Integer() },
  { $id: 'CatalogInfo', additionalProperties: false },
);
export type CatalogInfo = Static<typeof CatalogInfo>;

export const SchemaInfo = Type.Object(
  { catalog_name: Type.String(), name: Type.String(), full_name: Type.String(), owner: Type.String(), comment: Type.Optional(Type.String()), created_at: Type.Integer() },
  { $id: 'SchemaInfo', additionalProperties: false },
);
export type SchemaInfo = Static<typeof SchemaInfo>;

/** What volumes and tables have alike: their place in the catalog, location, owner and history. */
const SCHEMA_OBJECT_FIELDS = {
  catalog_name: Type.String(),
  schema_name: Type.String(),
  name: Type.String(),
  full_name: Type.String(),
  storage_location: Type.String(),
  owner: Type.String(),
  comment: Type.Optional(Type.String()),
  created_at: Type.Integer(),
  created_by: Type.Optional(Type.String()),
  updated_at: Type.Optional(Type.Integer()),
  updated_by: Type.Optional(Type.String()),
  metastore_id: Type.Optional(Type.String()),
};

export const VolumeInfo = Type.Object(
  { volume_id: Type.String(), volume_type: Type.Union([Type.Literal('EXTERNAL'), Type.Literal('MANAGED')]), ...SCHEMA_OBJECT_FIELDS },
  { $id: 'VolumeInfo', additionalProperties: false },
);
export type VolumeInfo = Static<typeof VolumeInfo>;

export const TableInfo = Type.Object(
  {
    table_id: Type.String(),
    table_type: Type.Union([Type.Literal('MANAGED'), Type.Literal('EXTERNAL')]),
    data_source_format: Type.String(),
    /** Further locations the table's files live in (e.g. Delta Sharing auxiliary locations). */
    auxiliary_locations: Type.Optional(Type.Array(Type.String())),
    columns: Type.Optional(Type.Array(Type.Object({ name: Type.String(), type_name: Type.String(), partition_index: Type.Optional(Type.Integer()) }))),
    /** Table properties (Glue's table parameters and storage descriptor details travel here too). */
    properties: Type.Optional(Type.Record(Type.String(), Type.String())),
    ...SCHEMA_OBJECT_FIELDS,
  },
  { $id: 'TableInfo', additionalProperties: false },
);
export type TableInfo = Static<typeof TableInfo>;

/** A partition of a table (Glue): its values, in the order of the table's partition keys, and its own location, which need not lie under the table's. */
export const PartitionInfo = Type.Object(
  {
    table_id: Type.String(),
    table_full_name: Type.String(),
    values: Type.Array(Type.String({ maxLength: 1024 }), { minItems: 1, maxItems: 100 }),
    storage_location: Type.String(),
    parameters: Type.Optional(Type.Record(Type.String(), Type.String())),
    created_at: Type.Integer(),
    created_by: Type.Optional(Type.String()),
  },
  { $id: 'PartitionInfo', additionalProperties: false },
);
export type PartitionInfo = Static<typeof PartitionInfo>;

/**
 * A Lake Formation data cells filter on a table: the columns it shows (named, or all but the excluded
 * ones) and the rows (a PartiQL row filter expression; absent = all rows). SELECT granted on a filter
 * is a filtered permission: only an engine that enforces the filter may get credentials through it.
 */
export const DataCellsFilterInfo = Type.Object(
  {
    table_full_name: Type.String(),
    name: Type.String({ minLength: 1, maxLength: 255 }),
    column_names: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 4096 })),
    excluded_column_names: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 4096 })),
    row_filter_expression: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    owner: Type.String(),
    created_at: Type.Integer(),
  },
  { $id: 'DataCellsFilterInfo', additionalProperties: false },
);
export type DataCellsFilterInfo = Static<typeof DataCellsFilterInfo>;

/** Securable name of a data cells filter: `<catalog>.<schema>.<table>/<filter>` (table names never hold a `/`). */
export const cellsFilterSecurableName = (tableFullName: string, filterName: string) => `${tableFullName}/${filterName}`;

/** A Delta Sharing share: tables exposed to recipients as `share.schema.table`. */
export const ShareInfo = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255 }),
    owner: Type.String(),
    comment: Type.Optional(Type.String()),
    created_at: Type.Integer(),
    objects: Type.Array(
      Type.Object(
        {
          /** The Unity Catalog table, `catalog.schema.table`. */
          name: Type.String(),
          data_object_type: Type.Literal('TABLE'),
          /** The name recipients see, `schema.table`. */
          shared_as: Type.String(),
          /** `dir` allows directory access (temporary table credentials); `url` pre-signed URLs. */
          access_modes: Type.Array(Type.Union([Type.Literal('url'), Type.Literal('dir')]), { minItems: 1 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'ShareInfo', additionalProperties: false },
);
export type ShareInfo = Static<typeof ShareInfo>;

export const SECURABLE_TYPES = ['metastore', 'catalog', 'schema', 'table', 'volume', 'external_location', 'storage_credential', 'share', 'data_cells_filter'] as const;
export type SecurableType = (typeof SECURABLE_TYPES)[number];

export const PrivilegeAssignment = Type.Object(
  { principal: Type.String(), privileges: Type.Array(Type.String()) },
  { additionalProperties: false },
);
export type PrivilegeAssignment = Static<typeof PrivilegeAssignment>;

export const GrantList = Type.Object(
  {
    securable_type: Type.Union(SECURABLE_TYPES.map((t) => Type.Literal(t))),
    /** Full name for catalog objects, name for credentials and locations. */
    securable_name: Type.String(),
    privilege_assignments: Type.Array(PrivilegeAssignment),
  },
  { $id: 'GrantList', additionalProperties: false },
);
export type GrantList = Static<typeof GrantList>;

/** Keys of the catalog KV bucket. Names are hex-encoded so any character is safe in a key. */
export const CATALOG_KEYS = {
  metastore: 'metastore',
  principal: (name: string) => `principal.${hexKey(name)}`,
  token: (sha256: string) => `token.${sha256}`,
  accessKey: (accessKeyId: string) => `accesskey.${accessKeyId}`,
  storageCredential: (name: string) => `credential.${hexKey(name)}`,
  externalLocation: (name: string) => `location.${hexKey(name)}`,
  catalog: (name: string) => `catalog.${hexKey(name)}`,
  schema: (fullName: string) => `schema.${hexKey(fullName)}`,
  volume: (volumeId: string) => `volume.${hexKey(volumeId)}`,
  table: (tableId: string) => `table.${hexKey(tableId)}`,
  /** Share names are case-insensitive: the key uses the lower-case name. */
  share: (name: string) => `share.${hexKey(name.toLowerCase())}`,
  grants: (type: SecurableType, name: string) => `grants.${type}.${hexKey(name)}`,
  /** Partition values are keyed by their JSON array, so any value is safe. */
  partition: (tableId: string, values: readonly string[]) => `partition.${hexKey(tableId)}.${hexKey(JSON.stringify(values))}`,
  cellsFilter: (tableFullName: string, name: string) => `cellsfilter.${hexKey(tableFullName)}.${hexKey(name)}`,
} as const;

export const CATALOG_KEY_KINDS = ['metastore', 'principal', 'token', 'accesskey', 'credential', 'location', 'catalog', 'schema', 'volume', 'table', 'share', 'grants', 'partition', 'cellsfilter'] as const;
export type CatalogKeyKind = (typeof CATALOG_KEY_KINDS)[number];

export function hexKey(name: string): string {
  return Buffer.from(name, 'utf8').toString('hex');
}

/** Request to read one volume through the catalog service. */
export const GetVolumeRequest = Type.Object(
  { requestId: Type.String({ maxLength: 64 }), caller: IdentityAssertion, fullName: Type.String({ minLength: 1, maxLength: 1024 }) },
  { $id: 'GetVolumeRequest', additionalProperties: false },
);
export type GetVolumeRequest = Static<typeof GetVolumeRequest>;
