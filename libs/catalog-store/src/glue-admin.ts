import { Type, type Static } from '@sinclair/typebox';
import { CATALOG_KEYS, codec, LakegateError, type AdminRequest, type PartitionInfo, type SchemaInfo, type TableInfo } from '@lakegate/contracts';
import { grantedCellsFilters, has, locationCovers, normaliseLocation, parentChain, partitionValuesKey, principalsOf, PRIVILEGES, type CatalogState, type Versioned } from '@lakegate/domain';
import type { AdminContext } from './catalog-admin.js';
import { compileNamePattern, compilePartitionExpression } from './glue-expression.js';
import { checkLocation, mayManage, requireLocationPrivilege, runObjectAdmin } from './uc-objects-admin.js';

/**
 * The AWS Glue Data Catalog face over lakegate's catalog: a Glue database is a schema of the
 * `aws_glue_catalog` catalog, a Glue table the same table the Unity Catalog face shows, and a Glue
 * partition a partition of that table with its own location. Creation and deletion of databases and
 * tables go through the Unity Catalog object operations, so both faces apply the same rules.
 */

const glueError = (code: 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'ALREADY_EXISTS' | 'PERMISSION_DENIED' | 'CONFLICT', message: string, exception: string) =>
  new LakegateError(code, message, { details: { awsException: exception } });
const invalid = (message: string) => glueError('INVALID_ARGUMENT', message, 'InvalidInputException');
const notFound = (message: string) => glueError('NOT_FOUND', message, 'EntityNotFoundException');

const NameString = Type.String({ minLength: 1, maxLength: 255 });
const Parameters = Type.Record(Type.String({ maxLength: 255 }), Type.String({ maxLength: 512_000 }), { maxProperties: 1000 });
const Column = Type.Object({ Name: NameString, Type: Type.Optional(Type.String({ maxLength: 131_072 })), Comment: Type.Optional(Type.String({ maxLength: 255 })), Parameters: Type.Optional(Parameters) });
const StorageDescriptor = Type.Object({
  Columns: Type.Optional(Type.Array(Column, { maxItems: 4096 })),
  Location: Type.Optional(Type.String({ maxLength: 2056 })),
  AdditionalLocations: Type.Optional(Type.Array(Type.String({ maxLength: 2056 }), { maxItems: 100 })),
  InputFormat: Type.Optional(Type.String({ maxLength: 128 })),
  OutputFormat: Type.Optional(Type.String({ maxLength: 128 })),
  Compressed: Type.Optional(Type.Boolean()),
  NumberOfBuckets: Type.Optional(Type.Integer()),
  SerdeInfo: Type.Optional(Type.Object({ Name: Type.Optional(NameString), SerializationLibrary: Type.Optional(Type.String({ maxLength: 255 })), Parameters: Type.Optional(Parameters) })),
  BucketColumns: Type.Optional(Type.Array(NameString)),
  SortColumns: Type.Optional(Type.Array(Type.Object({ Column: NameString, SortOrder: Type.Integer() }))),
  Parameters: Type.Optional(Parameters),
  StoredAsSubDirectories: Type.Optional(Type.Boolean()),
});
const CatalogId = Type.Optional(Type.String({ minLength: 1, maxLength: 255 }));
const TableInput = Type.Object({
  Name: NameString,
  Description: Type.Optional(Type.String({ maxLength: 2048 })),
  Owner: Type.Optional(NameString),
  StorageDescriptor: Type.Optional(StorageDescriptor),
  PartitionKeys: Type.Optional(Type.Array(Column, { maxItems: 100 })),
  TableType: Type.Optional(Type.String({ maxLength: 255 })),
  Parameters: Type.Optional(Parameters),
  Retention: Type.Optional(Type.Integer({ minimum: 0 })),
  LastAccessTime: Type.Optional(Type.Number()),
  LastAnalyzedTime: Type.Optional(Type.Number()),
});
const PartitionInput = Type.Object({
  Values: Type.Array(Type.String({ maxLength: 1024 }), { minItems: 1, maxItems: 100 }),
  StorageDescriptor: Type.Optional(StorageDescriptor),
  Parameters: Type.Optional(Parameters),
  LastAccessTime: Type.Optional(Type.Number()),
  LastAnalyzedTime: Type.Optional(Type.Number()),
});
type PartitionInput = Static<typeof PartitionInput>;
const Values = Type.Array(Type.String({ maxLength: 1024 }), { minItems: 1, maxItems: 100 });
const Paging = { NextToken: Type.Optional(Type.String({ maxLength: 64 })), MaxResults: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) };
const TableRef = { CatalogId, DatabaseName: NameString, TableName: NameString };

const BODIES = {
  GlueCreateDatabase: codec(Type.Object({ CatalogId, DatabaseInput: Type.Object({ Name: NameString, Description: Type.Optional(Type.String({ maxLength: 2048 })), LocationUri: Type.Optional(Type.String({ maxLength: 1024 })), Parameters: Type.Optional(Parameters) }), Tags: Type.Optional(Type.Record(Type.String(), Type.String())) })),
  GlueGetDatabase: codec(Type.Object({ CatalogId, Name: NameString })),
  GlueGetDatabases: codec(Type.Object({ CatalogId, ...Paging, ResourceShareType: Type.Optional(Type.String()), AttributesToGet: Type.Optional(Type.Array(Type.String())) })),
  GlueDeleteDatabase: codec(Type.Object({ CatalogId, Name: NameString })),
  GlueCreateTable: codec(Type.Object({ CatalogId, DatabaseName: NameString, TableInput, PartitionIndexes: Type.Optional(Type.Array(Type.Unknown())), TransactionId: Type.Optional(Type.String()) })),
  GlueGetTable: codec(Type.Object({ CatalogId, DatabaseName: NameString, Name: NameString, TransactionId: Type.Optional(Type.String()), QueryAsOfTime: Type.Optional(Type.Number()), AuditContext: Type.Optional(Type.Unknown()), IncludeStatusDetails: Type.Optional(Type.Boolean()) })),
  GlueGetTables: codec(Type.Object({ CatalogId, DatabaseName: NameString, Expression: Type.Optional(Type.String({ maxLength: 2048 })), ...Paging, TransactionId: Type.Optional(Type.String()), QueryAsOfTime: Type.Optional(Type.Number()), AuditContext: Type.Optional(Type.Unknown()), IncludeStatusDetails: Type.Optional(Type.Boolean()), AttributesToGet: Type.Optional(Type.Array(Type.String())) })),
  GlueUpdateTable: codec(Type.Object({ CatalogId, DatabaseName: NameString, TableInput, SkipArchive: Type.Optional(Type.Boolean()), TransactionId: Type.Optional(Type.String()), VersionId: Type.Optional(Type.String({ maxLength: 255 })) })),
  GlueDeleteTable: codec(Type.Object({ CatalogId, DatabaseName: NameString, Name: NameString, TransactionId: Type.Optional(Type.String()) })),
  GlueCreatePartition: codec(Type.Object({ ...TableRef, PartitionInput })),
  GlueBatchCreatePartition: codec(Type.Object({ ...TableRef, PartitionInputList: Type.Array(PartitionInput, { minItems: 1, maxItems: 100 }) })),
  GlueGetPartition: codec(Type.Object({ ...TableRef, PartitionValues: Values })),
  GlueGetPartitions: codec(
    Type.Object({
      ...TableRef,
      Expression: Type.Optional(Type.String({ maxLength: 2048 })),
      ...Paging,
      Segment: Type.Optional(Type.Object({ SegmentNumber: Type.Integer({ minimum: 0 }), TotalSegments: Type.Integer({ minimum: 1, maximum: 10 }) })),
      ExcludeColumnSchema: Type.Optional(Type.Boolean()),
      TransactionId: Type.Optional(Type.String()),
      QueryAsOfTime: Type.Optional(Type.Number()),
      AuditContext: Type.Optional(Type.Unknown()),
    }),
  ),
  GlueBatchGetPartition: codec(Type.Object({ ...TableRef, PartitionsToGet: Type.Array(Type.Object({ Values }), { minItems: 1, maxItems: 1000 }), AuditContext: Type.Optional(Type.Unknown()) })),
  GlueDeletePartition: codec(Type.Object({ ...TableRef, PartitionValues: Values })),
};

/** Storage-descriptor details Glue keeps and Unity Catalog has no field for travel as table properties. */
const SD = { inputFormat: 'lakegate.glue.input_format', outputFormat: 'lakegate.glue.output_format', serde: 'lakegate.glue.serde_library', serdeParameters: 'lakegate.glue.serde_parameters', tableType: 'lakegate.glue.table_type' };

/** Hive formats for tables created through Unity Catalog, so engines reading Glue metadata can read them. */
const HIVE_FORMATS: Record<string, { input: string; output: string; serde: string }> = {
  PARQUET: { input: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat', output: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat', serde: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
  ORC: { input: 'org.apache.hadoop.hive.ql.io.orc.OrcInputFormat', output: 'org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat', serde: 'org.apache.hadoop.hive.ql.io.orc.OrcSerde' },
  CSV: { input: 'org.apache.hadoop.mapred.TextInputFormat', output: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat', serde: 'org.apache.hadoop.hive.serde2.OpenCSVSerde' },
  JSON: { input: 'org.apache.hadoop.mapred.TextInputFormat', output: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat', serde: 'org.openx.data.jsonserde.JsonSerDe' },
  TEXT: { input: 'org.apache.hadoop.mapred.TextInputFormat', output: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat', serde: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe' },
  AVRO: { input: 'org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat', output: 'org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat', serde: 'org.apache.hadoop.hive.serde2.avro.AvroSerDe' },
};

/** The Unity Catalog data source format a Glue table describes. */
export function dataSourceFormatOf(input: Static<typeof TableInput>): string {
  const p = Object.fromEntries(Object.entries(input.Parameters ?? {}).map(([k, v]) => [k.toLowerCase(), v.toLowerCase()]));
  if (p['table_type'] === 'iceberg') return 'ICEBERG';
  if (p['table_type'] === 'delta' || p['spark.sql.sources.provider'] === 'delta') return 'DELTA';
  const classification = p['classification']?.toUpperCase();
  if (classification && HIVE_FORMATS[classification]) return classification;
  const inputFormat = input.StorageDescriptor?.InputFormat?.toLowerCase() ?? '';
  if (inputFormat.includes('parquet')) return 'PARQUET';
  if (inputFormat.includes('orc')) return 'ORC';
  if (inputFormat.includes('avro')) return 'AVRO';
  return 'TEXT';
}

const epochSeconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

function propertiesOf(input: Static<typeof TableInput>): Record<string, string> {
  const sd = input.StorageDescriptor;
  return {
    ...input.Parameters,
    ...(sd?.InputFormat ? { [SD.inputFormat]: sd.InputFormat } : {}),
    ...(sd?.OutputFormat ? { [SD.outputFormat]: sd.OutputFormat } : {}),
    ...(sd?.SerdeInfo?.SerializationLibrary ? { [SD.serde]: sd.SerdeInfo.SerializationLibrary } : {}),
    ...(sd?.SerdeInfo?.Parameters ? { [SD.serdeParameters]: JSON.stringify(sd.SerdeInfo.Parameters) } : {}),
    ...(input.TableType ? { [SD.tableType]: input.TableType } : {}),
  };
}

function columnsOf(input: Static<typeof TableInput>): NonNullable<TableInfo['columns']> {
  const type = (c: Static<typeof Column>) => c.Type ?? 'string';
  const data = (input.StorageDescriptor?.Columns ?? []).map((c) => ({ name: c.Name, type_name: type(c) }));
  const keys = (input.PartitionKeys ?? []).map((c, i) => ({ name: c.Name, type_name: type(c), partition_index: i }));
  const names = new Set<string>();
  for (const c of [...data, ...keys]) {
    if (names.has(c.name.toLowerCase())) throw invalid(`Column '${c.name}' is defined twice.`);
    names.add(c.name.toLowerCase());
  }
  return [...data, ...keys];
}

/** SerDe parameters as stored (JSON); a value set by other means that does not parse is left out. */
function parseParameters(raw: string | undefined): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)])) : undefined;
  } catch {
    return undefined;
  }
}

function storageDescriptor(table: TableInfo, location: string, withColumns = true): Record<string, unknown> {
  const props = table.properties ?? {};
  const hive = HIVE_FORMATS[table.data_source_format.toUpperCase()];
  const serdeParameters = parseParameters(props[SD.serdeParameters]);
  const serde = props[SD.serde] ?? hive?.serde;
  return {
    ...(withColumns ? { Columns: (table.columns ?? []).filter((c) => c.partition_index === undefined).map((c) => ({ Name: c.name, Type: c.type_name })) } : {}),
    Location: location,
    ...(table.auxiliary_locations?.length ? { AdditionalLocations: table.auxiliary_locations } : {}),
    ...(props[SD.inputFormat] ?? hive?.input ? { InputFormat: props[SD.inputFormat] ?? hive?.input } : {}),
    ...(props[SD.outputFormat] ?? hive?.output ? { OutputFormat: props[SD.outputFormat] ?? hive?.output } : {}),
    Compressed: false,
    NumberOfBuckets: -1,
    ...(serde || serdeParameters ? { SerdeInfo: { ...(serde ? { SerializationLibrary: serde } : {}), Parameters: serdeParameters ?? {} } } : {}),
    StoredAsSubDirectories: false,
  };
}

/** A lakegate table as Glue's `Table`. */
function glueTable(state: CatalogState, entry: Versioned<TableInfo>): Record<string, unknown> {
  const t = entry.value;
  const props = t.properties ?? {};
  const parameters = Object.fromEntries(Object.entries(props).filter(([k]) => !k.startsWith('lakegate.glue.')));
  if (t.data_source_format === 'DELTA' && !parameters['spark.sql.sources.provider']) parameters['spark.sql.sources.provider'] = 'delta';
  if (t.data_source_format === 'ICEBERG' && !parameters['table_type']) parameters['table_type'] = 'ICEBERG';
  if (HIVE_FORMATS[t.data_source_format] && !parameters['classification']) parameters['classification'] = t.data_source_format.toLowerCase();
  return {
    Name: t.name,
    DatabaseName: t.schema_name,
    ...(t.comment ? { Description: t.comment } : {}),
    Owner: t.owner,
    CreateTime: epochSeconds(t.created_at),
    UpdateTime: epochSeconds(t.updated_at ?? t.created_at),
    StorageDescriptor: storageDescriptor(t, t.storage_location),
    PartitionKeys: (t.columns ?? [])
      .filter((c) => c.partition_index !== undefined)
      .sort((a, b) => (a.partition_index ?? 0) - (b.partition_index ?? 0))
      .map((c) => ({ Name: c.name, Type: c.type_name })),
    TableType: props[SD.tableType] ?? (t.table_type === 'MANAGED' ? 'MANAGED_TABLE' : 'EXTERNAL_TABLE'),
    Parameters: parameters,
    ...(t.created_by ? { CreatedBy: t.created_by } : {}),
    IsRegisteredWithLakeFormation: true,
    CatalogId: state.metastore?.value.aws_account_id,
    VersionId: String(entry.revision),
  };
}

function gluePartition(state: CatalogState, table: TableInfo, p: PartitionInfo, withColumns: boolean): Record<string, unknown> {
  return {
    Values: p.values,
    DatabaseName: table.schema_name,
    TableName: table.name,
    CreationTime: epochSeconds(p.created_at),
    StorageDescriptor: storageDescriptor(table, p.storage_location, withColumns),
    Parameters: p.parameters ?? {},
    CatalogId: state.metastore?.value.aws_account_id,
  };
}

function glueDatabase(state: CatalogState, s: SchemaInfo): Record<string, unknown> {
  return { Name: s.name, ...(s.comment ? { Description: s.comment } : {}), CreateTime: epochSeconds(s.created_at), Parameters: {}, CatalogId: state.metastore?.value.aws_account_id, CreateTableDefaultPermissions: [] };
}

const pageOf = <T>(items: T[], token: string | undefined, max: number | undefined) => {
  const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalid('NextToken is not valid.');
  const size = max ?? 100;
  return { items: items.slice(start, start + size), next: start + size < items.length ? Buffer.from(String(start + size)).toString('base64url') : undefined };
};

/** Who may read a table's Glue metadata: admins, owners up the chain, holders of a table privilege or of a data cells filter on it. */
function mayDescribeTable(ctx: AdminContext, principal: string, table: TableInfo): boolean {
  const state = ctx.view.state;
  const identities = principalsOf(state, principal);
  const chain = [{ type: 'table' as const, name: table.full_name, owner: table.owner }, ...parentChain(state, table.catalog_name, table.schema_name)];
  return (
    ctx.admins.has(principal) ||
    [PRIVILEGES.select, PRIVILEGES.modify, PRIVILEGES.browse, PRIVILEGES.alter].some((p) => has(state, identities, p, chain)) ||
    grantedCellsFilters(state, identities, table).length > 0
  );
}

/**
 * Databases are visible to admins, owners, holders of USE SCHEMA, and whoever may describe one of
 * their tables. `describedSchemas` (full names), when given, holds the schemas with a table the
 * principal may describe, computed once for a listing instead of once per database.
 */
function mayDescribeDatabase(ctx: AdminContext, principal: string, schema: SchemaInfo, describedSchemas?: ReadonlySet<string>): boolean {
  const state = ctx.view.state;
  if (ctx.admins.has(principal)) return true;
  const identities = principalsOf(state, principal);
  const chain = parentChain(state, schema.catalog_name, schema.name);
  if (chain.some((c) => c.owner !== undefined && identities.has(c.owner)) || has(state, identities, PRIVILEGES.useSchema, chain)) return true;
  return (describedSchemas ?? schemasWithDescribableTables(ctx, principal, schema.full_name)).has(schema.full_name);
}

/** The schemas (full names) holding a table the principal may describe; only `within` when given. */
function schemasWithDescribableTables(ctx: AdminContext, principal: string, within?: string): Set<string> {
  const out = new Set<string>();
  for (const { value: t } of ctx.view.state.tables.values()) {
    const schema = `${t.catalog_name}.${t.schema_name}`;
    if ((within === undefined || schema === within) && !out.has(schema) && mayDescribeTable(ctx, principal, t)) out.add(schema);
  }
  return out;
}

/** Runs one Glue operation for `principal`. */
export async function runGlueAdmin(ctx: AdminContext, principal: string, req: AdminRequest): Promise<unknown> {
  const state = ctx.view.state;
  const glueCatalog = state.metastore?.value.aws_glue_catalog ?? 'main';
  const accountId = state.metastore?.value.aws_account_id;
  const checkCatalogId = (id: string | undefined) => {
    if (id !== undefined && id !== accountId) throw notFound(`Catalog '${id}' does not exist: this Data Catalog is account ${accountId}.`);
  };
  const delegate = (operation: AdminRequest['operation'], params: Record<string, string>, body?: unknown) =>
    runObjectAdmin(ctx, principal, { ...req, operation, params, ...(body === undefined ? {} : { body }) });
  const schemaOf = (database: string) => {
    const schema = state.schemas.get(`${glueCatalog}.${database}`)?.value;
    if (!schema) throw notFound(`Database ${database} not found.`);
    return schema;
  };
  const tableOf = (database: string, name: string) => {
    schemaOf(database);
    const id = state.tableIdsByName.get(`${glueCatalog}.${database}.${name}`);
    const entry = id ? state.tables.get(id) : undefined;
    if (!entry) throw notFound(`Table ${name} not found.`);
    return entry;
  };
  const describable = (database: string, name: string) => {
    const entry = tableOf(database, name);
    if (!mayDescribeTable(ctx, principal, entry.value)) {
      throw glueError('PERMISSION_DENIED', `Insufficient Lake Formation permission(s) on ${name}: '${principal}' holds no permission on ${entry.value.full_name}.`, 'AccessDeniedException');
    }
    return entry;
  };
  const partitionWriter = (database: string, name: string) => {
    const entry = tableOf(database, name);
    const t = entry.value;
    const identities = principalsOf(state, principal);
    const chain = [{ type: 'table' as const, name: t.full_name, owner: t.owner }, ...parentChain(state, t.catalog_name, t.schema_name)];
    if (!mayManage(ctx, principal, chain.map((c) => c.owner)) && !has(state, identities, PRIVILEGES.modify, chain) && !has(state, identities, PRIVILEGES.alter, chain)) {
      throw glueError('PERMISSION_DENIED', `Insufficient Lake Formation permission(s): '${principal}' needs ALTER or INSERT (MODIFY) on ${t.full_name} to change its partitions.`, 'AccessDeniedException');
    }
    return t;
  };
  /** A partition's location: anywhere the table's own files are, or elsewhere with CREATE EXTERNAL TABLE there. */
  const partitionLocation = (table: TableInfo, location: string, values: readonly string[]) => {
    const what = `partition [${values.join(', ')}] of '${table.full_name}'`;
    const url = checkLocation(ctx.view.state, location, what, { tableId: table.table_id });
    if (!locationCovers(normaliseLocation(table.storage_location), normaliseLocation(url))) requireLocationPrivilege(ctx, principal, url, PRIVILEGES.createExternalTable, what);
    return url;
  };
  const createPartition = async (table: TableInfo, input: PartitionInput) => {
    const keys = (table.columns ?? []).filter((c) => c.partition_index !== undefined);
    if (keys.length === 0) throw invalid(`Table ${table.name} has no partition keys.`);
    if (input.Values.length !== keys.length) throw invalid(`Table ${table.name} has ${keys.length} partition key(s); ${input.Values.length} value(s) were given.`);
    const location = input.StorageDescriptor?.Location;
    if (!location) throw invalid('A partition needs StorageDescriptor.Location: lakegate vends credentials for its location.');
    if (ctx.view.state.partitions.get(table.table_id)?.has(partitionValuesKey(input.Values))) throw glueError('ALREADY_EXISTS', `Partition already exists.`, 'AlreadyExistsException');
    const info: PartitionInfo = {
      table_id: table.table_id,
      table_full_name: table.full_name,
      values: input.Values,
      storage_location: partitionLocation(table, location, input.Values),
      ...(input.Parameters && Object.keys(input.Parameters).length > 0 ? { parameters: input.Parameters } : {}),
      created_at: ctx.clock(),
      created_by: principal,
    };
    try {
      await ctx.view.waitFor(await ctx.writer.put(CATALOG_KEYS.partition(table.table_id, input.Values), info, undefined));
    } catch (error) {
      if ((error as LakegateError).code === 'ALREADY_EXISTS' || (error as LakegateError).code === 'CONFLICT') throw glueError('ALREADY_EXISTS', 'Partition already exists.', 'AlreadyExistsException');
      throw error;
    }
  };

  switch (req.operation) {
    case 'GlueCreateDatabase': {
      const b = BODIES.GlueCreateDatabase.check(req.body);
      checkCatalogId(b.CatalogId);
      if (state.schemas.has(`${glueCatalog}.${b.DatabaseInput.Name}`)) throw glueError('ALREADY_EXISTS', `Database ${b.DatabaseInput.Name} already exists.`, 'AlreadyExistsException');
      await delegate('CreateSchema', {}, { name: b.DatabaseInput.Name, catalog_name: glueCatalog, ...(b.DatabaseInput.Description ? { comment: b.DatabaseInput.Description } : {}) });
      return {};
    }
    case 'GlueGetDatabase': {
      const b = BODIES.GlueGetDatabase.check(req.body);
      checkCatalogId(b.CatalogId);
      const schema = schemaOf(b.Name);
      if (!mayDescribeDatabase(ctx, principal, schema)) throw glueError('PERMISSION_DENIED', `Insufficient Lake Formation permission(s) on ${b.Name}.`, 'AccessDeniedException');
      return { Database: glueDatabase(state, schema) };
    }
    case 'GlueGetDatabases': {
      const b = BODIES.GlueGetDatabases.check(req.body ?? {});
      checkCatalogId(b.CatalogId);
      const described = ctx.admins.has(principal) ? new Set<string>() : schemasWithDescribableTables(ctx, principal);
      const visible = [...state.schemas.values()]
        .map((s) => s.value)
        .filter((s) => s.catalog_name === glueCatalog && mayDescribeDatabase(ctx, principal, s, described))
        .sort((a, c) => a.name.localeCompare(c.name));
      const { items, next } = pageOf(visible, b.NextToken, b.MaxResults);
      return { DatabaseList: items.map((s) => glueDatabase(state, s)), ...(next ? { NextToken: next } : {}) };
    }
    case 'GlueDeleteDatabase': {
      const b = BODIES.GlueDeleteDatabase.check(req.body);
      checkCatalogId(b.CatalogId);
      schemaOf(b.Name);
      await delegate('DeleteSchema', { full_name: `${glueCatalog}.${b.Name}` });
      return {};
    }
    case 'GlueCreateTable': {
      const b = BODIES.GlueCreateTable.check(req.body);
      checkCatalogId(b.CatalogId);
      schemaOf(b.DatabaseName);
      const input = b.TableInput;
      if (state.tableIdsByName.has(`${glueCatalog}.${b.DatabaseName}.${input.Name}`)) throw glueError('ALREADY_EXISTS', `Table ${input.Name} already exists.`, 'AlreadyExistsException');
      const location = input.StorageDescriptor?.Location;
      if (!location) throw invalid('A table needs StorageDescriptor.Location: lakegate vends credentials for its location.');
      if (input.TableType && !['EXTERNAL_TABLE', 'MANAGED_TABLE', 'ICEBERG'].includes(input.TableType.toUpperCase())) throw invalid(`TableType ${input.TableType} is not supported (views are not tables lakegate vends for).`);
      await delegate('CreateTable', {}, {
        name: input.Name,
        catalog_name: glueCatalog,
        schema_name: b.DatabaseName,
        table_type: 'EXTERNAL',
        data_source_format: dataSourceFormatOf(input),
        columns: columnsOf(input),
        storage_location: location,
        ...(input.Description ? { comment: input.Description } : {}),
        properties: propertiesOf(input),
      });
      return {};
    }
    case 'GlueGetTable': {
      const b = BODIES.GlueGetTable.check(req.body);
      checkCatalogId(b.CatalogId);
      return { Table: glueTable(state, describable(b.DatabaseName, b.Name)) };
    }
    case 'GlueGetTables': {
      const b = BODIES.GlueGetTables.check(req.body);
      checkCatalogId(b.CatalogId);
      const schema = schemaOf(b.DatabaseName);
      const matches = b.Expression ? compileNamePattern(b.Expression) : () => true;
      const visible = [...state.tables.values()]
        .filter((t) => t.value.catalog_name === glueCatalog && t.value.schema_name === schema.name && matches(t.value.name) && mayDescribeTable(ctx, principal, t.value))
        .sort((a, c) => a.value.name.localeCompare(c.value.name));
      const { items, next } = pageOf(visible, b.NextToken, b.MaxResults);
      return { TableList: items.map((t) => glueTable(state, t)), ...(next ? { NextToken: next } : {}) };
    }
    case 'GlueUpdateTable': {
      const b = BODIES.GlueUpdateTable.check(req.body);
      checkCatalogId(b.CatalogId);
      const entry = tableOf(b.DatabaseName, b.TableInput.Name);
      const t = entry.value;
      const chain = [{ type: 'table' as const, name: t.full_name, owner: t.owner }, ...parentChain(state, t.catalog_name, t.schema_name)];
      if (!mayManage(ctx, principal, chain.map((c) => c.owner)) && !has(state, principalsOf(state, principal), PRIVILEGES.alter, chain)) {
        throw glueError('PERMISSION_DENIED', `Insufficient Lake Formation permission(s): '${principal}' needs ALTER on ${t.full_name}.`, 'AccessDeniedException');
      }
      if (b.VersionId !== undefined && b.VersionId !== String(entry.revision)) {
        throw glueError('CONFLICT', `Table ${t.name} has changed: VersionId ${b.VersionId} is not the current version ${entry.revision}.`, 'ConcurrentModificationException');
      }
      const columns = columnsOf(b.TableInput);
      const keys = (cs: NonNullable<TableInfo['columns']>) => cs.filter((c) => c.partition_index !== undefined).map((c) => c.name.toLowerCase()).join(',');
      if ((state.partitions.get(t.table_id)?.size ?? 0) > 0 && keys(columns) !== keys(t.columns ?? [])) throw invalid(`The partition keys of ${t.name} cannot change while it has partitions.`);
      const location = checkLocation(state, b.TableInput.StorageDescriptor?.Location ?? t.storage_location, `table '${t.full_name}'`, { tableId: t.table_id });
      if (location !== normaliseLocation(t.storage_location).url) requireLocationPrivilege(ctx, principal, location, PRIVILEGES.createExternalTable, `table '${t.full_name}'`);
      const updated: TableInfo = {
        ...t,
        columns,
        storage_location: location,
        data_source_format: dataSourceFormatOf(b.TableInput),
        properties: propertiesOf(b.TableInput),
        updated_at: ctx.clock(),
        updated_by: principal,
      };
      if (b.TableInput.Description !== undefined) updated.comment = b.TableInput.Description;
      try {
        await ctx.view.waitFor(await ctx.writer.put(CATALOG_KEYS.table(t.table_id), updated, entry.revision));
      } catch (error) {
        if ((error as LakegateError).code === 'CONFLICT') throw glueError('CONFLICT', `Table ${t.name} changed concurrently; read it again.`, 'ConcurrentModificationException');
        throw error;
      }
      return {};
    }
    case 'GlueDeleteTable': {
      const b = BODIES.GlueDeleteTable.check(req.body);
      checkCatalogId(b.CatalogId);
      tableOf(b.DatabaseName, b.Name);
      await delegate('DeleteTable', { full_name: `${glueCatalog}.${b.DatabaseName}.${b.Name}` });
      return {};
    }
    case 'GlueCreatePartition': {
      const b = BODIES.GlueCreatePartition.check(req.body);
      checkCatalogId(b.CatalogId);
      await createPartition(partitionWriter(b.DatabaseName, b.TableName), b.PartitionInput);
      return {};
    }
    case 'GlueBatchCreatePartition': {
      const b = BODIES.GlueBatchCreatePartition.check(req.body);
      checkCatalogId(b.CatalogId);
      const table = partitionWriter(b.DatabaseName, b.TableName);
      const errors: Record<string, unknown>[] = [];
      for (const input of b.PartitionInputList) {
        try {
          await createPartition(table, input);
        } catch (error) {
          const e = error instanceof LakegateError ? error : new LakegateError('INTERNAL');
          const code = (e.details?.['awsException'] as string | undefined) ?? (e.code === 'INVALID_ARGUMENT' ? 'InvalidInputException' : 'InternalServiceException');
          errors.push({ PartitionValues: input.Values, ErrorDetail: { ErrorCode: code, ErrorMessage: e.code === 'INTERNAL' ? 'An internal service error occurred.' : e.message } });
        }
      }
      return { Errors: errors };
    }
    case 'GlueGetPartition': {
      const b = BODIES.GlueGetPartition.check(req.body);
      checkCatalogId(b.CatalogId);
      const table = describable(b.DatabaseName, b.TableName).value;
      const p = state.partitions.get(table.table_id)?.get(partitionValuesKey(b.PartitionValues));
      if (!p) throw notFound('Cannot find partition.');
      return { Partition: gluePartition(state, table, p.value, true) };
    }
    case 'GlueGetPartitions': {
      const b = BODIES.GlueGetPartitions.check(req.body);
      checkCatalogId(b.CatalogId);
      const table = describable(b.DatabaseName, b.TableName).value;
      const keys = (table.columns ?? []).filter((c) => c.partition_index !== undefined).sort((x, y) => (x.partition_index ?? 0) - (y.partition_index ?? 0));
      const predicate = b.Expression?.trim() ? compilePartitionExpression(b.Expression, new Map(keys.map((k) => [k.name, k.type_name]))) : () => true;
      const segment = b.Segment;
      if (segment && segment.SegmentNumber >= segment.TotalSegments) throw invalid('Segment.SegmentNumber must be below Segment.TotalSegments.');
      const all = [...(state.partitions.get(table.table_id)?.values() ?? [])]
        .map((p) => p.value)
        .sort((x, y) => partitionValuesKey(x.values).localeCompare(partitionValuesKey(y.values)))
        .filter((_, i) => !segment || i % segment.TotalSegments === segment.SegmentNumber)
        .filter((p) => predicate(Object.fromEntries(keys.map((k, i) => [k.name, p.values[i] ?? '']))));
      const { items, next } = pageOf(all, b.NextToken, b.MaxResults);
      return { Partitions: items.map((p) => gluePartition(state, table, p, !b.ExcludeColumnSchema)), ...(next ? { NextToken: next } : {}) };
    }
    case 'GlueBatchGetPartition': {
      const b = BODIES.GlueBatchGetPartition.check(req.body);
      checkCatalogId(b.CatalogId);
      const table = describable(b.DatabaseName, b.TableName).value;
      const partitions = state.partitions.get(table.table_id);
      const found = b.PartitionsToGet.map((v) => partitions?.get(partitionValuesKey(v.Values))?.value).filter((p): p is PartitionInfo => p !== undefined);
      return { Partitions: found.map((p) => gluePartition(state, table, p, true)), UnprocessedKeys: [] };
    }
    case 'GlueDeletePartition': {
      const b = BODIES.GlueDeletePartition.check(req.body);
      checkCatalogId(b.CatalogId);
      const table = partitionWriter(b.DatabaseName, b.TableName);
      const p = state.partitions.get(table.table_id)?.get(partitionValuesKey(b.PartitionValues));
      if (!p) throw notFound('Cannot find partition.');
      await ctx.writer.remove(CATALOG_KEYS.partition(table.table_id, b.PartitionValues), p.revision);
      return {};
    }
    default:
      throw new LakegateError('NOT_IMPLEMENTED', `Operation ${req.operation} is not implemented.`);
  }
}
