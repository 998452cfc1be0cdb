import { randomBytes } from 'node:crypto';
import {
  AccessDeniedException as GlueAccessDenied,
  AlreadyExistsException,
  BatchCreatePartitionCommand,
  BatchGetPartitionCommand,
  ConcurrentModificationException,
  CreateDatabaseCommand,
  CreatePartitionCommand,
  CreateTableCommand,
  DeletePartitionCommand,
  DeleteTableCommand,
  EntityNotFoundException as GlueEntityNotFound,
  GetDatabaseCommand,
  GetDatabasesCommand,
  GetPartitionCommand,
  GetPartitionsCommand,
  GetTableCommand,
  GetTablesCommand,
  GlueClient,
  InvalidInputException as GlueInvalidInput,
  UpdateTableCommand,
  type GlueServiceException,
} from '@aws-sdk/client-glue';
import {
  CreateDataCellsFilterCommand,
  DeleteDataCellsFilterCommand,
  GetTemporaryGluePartitionCredentialsCommand,
  GetTemporaryGlueTableCredentialsCommand,
  GrantPermissionsCommand,
  InternalServiceException,
  LakeFormationClient,
  ListDataCellsFilterCommand,
  ListPermissionsCommand,
  PermissionTypeMismatchException,
  RevokePermissionsCommand,
  RegisterResourceCommand,
  AccessDeniedException as LfAccessDenied,
  EntityNotFoundException as LfEntityNotFound,
} from '@aws-sdk/client-lakeformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, lookupEvents, removeDir, startSystem, type RunningSystem } from './system.js';

type Keys = { accessKeyId: string; secretAccessKey: string };
const ARN = (db: string, table: string) => `arn:aws:glue:us-east-1:000000000000:table/${db}/${table}`;

async function failure(promise: Promise<unknown>): Promise<GlueServiceException> {
  try {
    await promise;
  } catch (error) {
    return error as GlueServiceException;
  }
  throw new Error('expected the call to fail');
}

describe('Glue face with the real @aws-sdk/client-glue, and Lake Formation partitions and data cells filters', () => {
  const token = `e2e_${randomBytes(24).toString('base64url')}`;
  let system: RunningSystem;
  const clients: { destroy(): void }[] = [];
  let glue: GlueClient;
  let lf: LakeFormationClient;
  const adminJson = () => ({ authorization: `Bearer ${system.adminToken}`, 'content-type': 'application/json' });

  /** A principal with access keys, and Glue and Lake Formation clients signing with them. */
  async function principal(name: string): Promise<{ glue: GlueClient; lf: LakeFormationClient; keys: Keys }> {
    if (name !== 'admin') expect((await fetch(`${system.url}/api/v1/principals`, { method: 'POST', headers: adminJson(), body: JSON.stringify({ name, type: 'USER' }) })).status).toBe(200);
    const res = await fetch(`${system.url}/api/v1/principals/${name}/access-keys`, { method: 'POST', headers: { authorization: `Bearer ${system.adminToken}` } });
    expect(res.status).toBe(200);
    const keys = (await res.json()) as Keys;
    const g = new GlueClient({ endpoint: system.url, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
    const l = new LakeFormationClient({ endpoint: system.url, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
    clients.push(g, l);
    return { glue: g, lf: l, keys };
  }

  beforeAll(async () => {
    system = await startSystem({ token });
    ({ glue, lf } = await principal('admin'));
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    if (system) {
      expect(await system.interrupt()).toBe(0);
      await removeDir(system.dataDir);
    }
  });

  it('databases and tables made through Glue are the tables Unity Catalog shows', async () => {
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'sales', Description: 'sales data' } }));
    expect(await failure(glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'sales' } })))).toBeInstanceOf(AlreadyExistsException);
    const db = await glue.send(new GetDatabaseCommand({ Name: 'sales' }));
    expect(db.Database).toMatchObject({ Name: 'sales', Description: 'sales data', CatalogId: '000000000000' });
    expect(db.Database?.CreateTime).toBeInstanceOf(Date);
    expect((await glue.send(new GetDatabasesCommand({}))).DatabaseList?.map((d) => d.Name)).toEqual(['default', 'sales']);
    expect(await failure(glue.send(new GetDatabaseCommand({ Name: 'nope' })))).toBeInstanceOf(GlueEntityNotFound);
    expect(await failure(glue.send(new GetDatabaseCommand({ Name: 'sales', CatalogId: '999999999999' })))).toBeInstanceOf(GlueEntityNotFound);

    await glue.send(
      new CreateTableCommand({
        DatabaseName: 'sales',
        TableInput: {
          Name: 'orders',
          Description: 'orders by year',
          TableType: 'EXTERNAL_TABLE',
          Parameters: { classification: 'parquet' },
          StorageDescriptor: {
            Columns: [{ Name: 'id', Type: 'bigint' }, { Name: 'amount', Type: 'decimal(10,2)' }, { Name: 'customer', Type: 'struct<name:string,tier:int>' }],
            Location: 's3://lakegate-demo/tables/orders',
            InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: { 'serialization.format': '1' } },
          },
          PartitionKeys: [{ Name: 'year', Type: 'int' }],
        },
      }),
    );
    const { Table: table } = await glue.send(new GetTableCommand({ DatabaseName: 'sales', Name: 'orders' }));
    expect(table).toMatchObject({
      Name: 'orders',
      DatabaseName: 'sales',
      Description: 'orders by year',
      TableType: 'EXTERNAL_TABLE',
      Parameters: { classification: 'parquet' },
      PartitionKeys: [{ Name: 'year', Type: 'int' }],
      StorageDescriptor: {
        Location: 's3://lakegate-demo/tables/orders',
        Columns: [{ Name: 'id', Type: 'bigint' }, { Name: 'amount', Type: 'decimal(10,2)' }, { Name: 'customer', Type: 'struct<name:string,tier:int>' }],
        SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: { 'serialization.format': '1' } },
      },
      IsRegisteredWithLakeFormation: true,
    });
    expect(table?.CreateTime).toBeInstanceOf(Date);

    const uc = await fetch(`${system.url}/api/2.1/unity-catalog/tables/lakegate_demo.sales.orders`, { headers: adminJson() });
    expect(uc.status).toBe(200);
    expect(await uc.json()).toMatchObject({ full_name: 'lakegate_demo.sales.orders', data_source_format: 'PARQUET', storage_location: 's3://lakegate-demo/tables/orders', columns: expect.arrayContaining([{ name: 'year', type_name: 'int', partition_index: 0 }]) });
    // A table made through Unity Catalog shows in Glue with Hive formats for its data source format.
    const { Table: trips } = await glue.send(new GetTableCommand({ DatabaseName: 'default', Name: 'trips' }));
    expect(trips).toMatchObject({ Parameters: { 'spark.sql.sources.provider': 'delta' }, PartitionKeys: [{ Name: 'city', Type: 'STRING' }] });

    expect((await glue.send(new GetTablesCommand({ DatabaseName: 'sales', Expression: 'ord*' }))).TableList?.map((t) => t.Name)).toEqual(['orders']);
    expect((await glue.send(new GetTablesCommand({ DatabaseName: 'sales', Expression: 'x*|y*' }))).TableList).toEqual([]);
    expect(await failure(glue.send(new CreateTableCommand({ DatabaseName: 'sales', TableInput: { Name: 'elsewhere', StorageDescriptor: { Location: 's3://not-registered/x' } } })))).toBeInstanceOf(GlueInvalidInput);
    expect(await failure(glue.send(new CreateTableCommand({ DatabaseName: 'sales', TableInput: { Name: 'inside_trips', StorageDescriptor: { Location: 's3://lakegate-demo/tables/trips/x' } } })))).toBeInstanceOf(GlueInvalidInput);
    expect(await failure(glue.send(new CreateTableCommand({ DatabaseName: 'sales', TableInput: { Name: 'orders', StorageDescriptor: { Location: 's3://lakegate-demo/tables/orders2' } } })))).toBeInstanceOf(AlreadyExistsException);
  });

  it('UpdateTable checks the version it was read at', async () => {
    const { Table: before } = await glue.send(new GetTableCommand({ DatabaseName: 'sales', Name: 'orders' }));
    const input = { Name: 'orders', Description: 'orders, updated', Parameters: before!.Parameters!, StorageDescriptor: before!.StorageDescriptor!, PartitionKeys: before!.PartitionKeys! };
    await glue.send(new UpdateTableCommand({ DatabaseName: 'sales', TableInput: input, VersionId: before!.VersionId! }));
    const { Table: after } = await glue.send(new GetTableCommand({ DatabaseName: 'sales', Name: 'orders' }));
    expect(after?.Description).toBe('orders, updated');
    expect(after?.VersionId).not.toBe(before?.VersionId);
    expect(await failure(glue.send(new UpdateTableCommand({ DatabaseName: 'sales', TableInput: input, VersionId: before!.VersionId! })))).toBeInstanceOf(ConcurrentModificationException);
  });

  it('partitions: create, batch create with per-partition errors, filter by expression, get, and vend for their own locations', async () => {
    const part = (year: string, location: string) => ({ Values: [year], StorageDescriptor: { Location: location } });
    await glue.send(new CreatePartitionCommand({ DatabaseName: 'sales', TableName: 'orders', PartitionInput: part('2024', 's3://lakegate-demo/tables/orders/year=2024') }));
    const batch = await glue.send(
      new BatchCreatePartitionCommand({
        DatabaseName: 'sales',
        TableName: 'orders',
        PartitionInputList: [part('2025', 's3://lakegate-demo/archive/orders/2025'), part('2024', 's3://lakegate-demo/tables/orders/year=2024'), part('2023', 's3://lakegate-demo/tables/trips/2023')],
      }),
    );
    expect(batch.Errors?.map((e) => [e.PartitionValues, e.ErrorDetail?.ErrorCode])).toEqual([
      [['2024'], 'AlreadyExistsException'],
      [['2023'], 'InvalidInputException'],
    ]);
    const values = async (Expression?: string) =>
      (await glue.send(new GetPartitionsCommand({ DatabaseName: 'sales', TableName: 'orders', ...(Expression ? { Expression } : {}) }))).Partitions?.map((p) => p.Values?.[0]);
    expect(await values()).toEqual(['2024', '2025']);
    expect(await values('year >= 2025')).toEqual(['2025']);
    expect(await values("year = '2024' OR year = 2030")).toEqual(['2024']);
    expect(await values('year BETWEEN 2020 AND 2024')).toEqual(['2024']);
    expect(await failure(values('city = 1'))).toBeInstanceOf(GlueInvalidInput);
    expect(await failure(values('year ~ 1'))).toBeInstanceOf(GlueInvalidInput);
    const { Partition } = await glue.send(new GetPartitionCommand({ DatabaseName: 'sales', TableName: 'orders', PartitionValues: ['2025'] }));
    expect(Partition).toMatchObject({ Values: ['2025'], TableName: 'orders', StorageDescriptor: { Location: 's3://lakegate-demo/archive/orders/2025' } });
    const got = await glue.send(new BatchGetPartitionCommand({ DatabaseName: 'sales', TableName: 'orders', PartitionsToGet: [{ Values: ['2024'] }, { Values: ['1999'] }] }));
    expect(got.Partitions?.map((p) => p.Values)).toEqual([['2024']]);

    const eve = await principal('eve');
    await lf.send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: 'eve' }, Resource: { Table: { DatabaseName: 'sales', Name: 'orders' } }, Permissions: ['SELECT'] }));
    const creds = await eve.lf.send(new GetTemporaryGluePartitionCredentialsCommand({ TableArn: ARN('sales', 'orders'), Partition: { Values: ['2025'] }, DurationSeconds: 900 }));
    expect(creds.AccessKeyId).toMatch(/^ASIA/);
    const record = await eventually('the partition vend audit record', async () => {
      const events = await lookupEvents<{ additionalEventData: { vendedLocations: { url: string; access: string }[] } }>(system, 'AccessKeyId', eve.keys.accessKeyId);
      return events.find((e) => e.EventName === 'GetTemporaryGluePartitionCredentials')?.record;
    });
    expect(record.additionalEventData.vendedLocations).toEqual([{ url: 's3://lakegate-demo/archive/orders/2025', access: 'read' }]);
    expect(await failure(eve.lf.send(new GetTemporaryGluePartitionCredentialsCommand({ TableArn: ARN('sales', 'orders'), Partition: { Values: ['1999'] } })))).toBeInstanceOf(LfEntityNotFound);

    // eve reads, but may not change the catalog.
    expect((await eve.glue.send(new GetTableCommand({ DatabaseName: 'sales', Name: 'orders' }))).Table?.Name).toBe('orders');
    expect(await failure(eve.glue.send(new DeletePartitionCommand({ DatabaseName: 'sales', TableName: 'orders', PartitionValues: ['2025'] })))).toBeInstanceOf(GlueAccessDenied);
    expect(await failure(eve.glue.send(new CreateTableCommand({ DatabaseName: 'sales', TableInput: { Name: 'mine', StorageDescriptor: { Location: 's3://lakegate-demo/tables/mine' } } })))).toBeInstanceOf(GlueAccessDenied);
    expect(await failure(eve.glue.send(new GetTableCommand({ DatabaseName: 'default', Name: 'trips' })))).toBeInstanceOf(GlueAccessDenied);
    expect((await eve.glue.send(new GetDatabasesCommand({}))).DatabaseList?.map((d) => d.Name)).toEqual(['sales']);

    await glue.send(new DeletePartitionCommand({ DatabaseName: 'sales', TableName: 'orders', PartitionValues: ['2025'] }));
    expect(await failure(glue.send(new GetPartitionCommand({ DatabaseName: 'sales', TableName: 'orders', PartitionValues: ['2025'] })))).toBeInstanceOf(GlueEntityNotFound);
    // Read-your-writes: the deletion is in effect as soon as the call has returned.
    expect(await failure(eve.lf.send(new GetTemporaryGluePartitionCredentialsCommand({ TableArn: ARN('sales', 'orders'), Partition: { Values: ['2025'] } })))).toBeInstanceOf(LfEntityNotFound);
  });

  it('data cells filters: a row filter needs an engine that declares CELL_FILTER_PERMISSION', async () => {
    const frank = await principal('frank');
    expect(await failure(frank.lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ARN('sales', 'orders') })))).toBeInstanceOf(LfAccessDenied);
    await lf.send(
      new CreateDataCellsFilterCommand({
        TableData: { TableCatalogId: '000000000000', DatabaseName: 'sales', TableName: 'orders', Name: 'recent', RowFilter: { FilterExpression: 'year >= 2025' }, ColumnWildcard: { ExcludedColumnNames: ['amount'] } },
      }),
    );
    expect(await failure(lf.send(new CreateDataCellsFilterCommand({ TableData: { TableCatalogId: '000000000000', DatabaseName: 'sales', TableName: 'orders', Name: 'bad', ColumnNames: ['nope'] } })))).toMatchObject({
      name: 'InvalidInputException',
    });
    const filters = await lf.send(new ListDataCellsFilterCommand({ Table: { CatalogId: '000000000000', DatabaseName: 'sales', Name: 'orders' } }));
    expect(filters.DataCellsFilters).toMatchObject([{ Name: 'recent', RowFilter: { FilterExpression: 'year >= 2025' }, ColumnWildcard: { ExcludedColumnNames: ['amount'] } }]);
    await lf.send(
      new GrantPermissionsCommand({
        Principal: { DataLakePrincipalIdentifier: 'arn:aws:iam::000000000000:user/frank' },
        Resource: { DataCellsFilter: { TableCatalogId: '000000000000', DatabaseName: 'sales', TableName: 'orders', Name: 'recent' } },
        Permissions: ['SELECT'],
      }),
    );
    const mismatch = await failure(frank.lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ARN('sales', 'orders'), SupportedPermissionTypes: ['COLUMN_PERMISSION'] })));
    expect(mismatch).toBeInstanceOf(PermissionTypeMismatchException);
    expect(mismatch.$metadata.httpStatusCode).toBe(400);
    expect(mismatch.message).toContain('CELL_FILTER_PERMISSION');
    const creds = await frank.lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ARN('sales', 'orders'), SupportedPermissionTypes: ['COLUMN_PERMISSION', 'CELL_FILTER_PERMISSION'] }));
    expect(creds.VendedS3Path).toEqual(['s3://lakegate-demo/tables/orders']);
    // Filters grant reads only.
    expect(await failure(frank.lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ARN('sales', 'orders'), Permissions: ['INSERT'], SupportedPermissionTypes: ['CELL_FILTER_PERMISSION'] })))).toBeInstanceOf(LfAccessDenied);
    // frank sees the table's metadata through the filter.
    expect((await frank.glue.send(new GetTableCommand({ DatabaseName: 'sales', Name: 'orders' }))).Table?.Name).toBe('orders');

    await lf.send(new DeleteDataCellsFilterCommand({ TableCatalogId: '000000000000', DatabaseName: 'sales', TableName: 'orders', Name: 'recent' }));
    expect(await failure(frank.lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ARN('sales', 'orders'), SupportedPermissionTypes: ['CELL_FILTER_PERMISSION'] })))).toBeInstanceOf(LfAccessDenied);
  });

  it('column-level grants (TableWithColumns) are filtered reads an engine enforcing columns may get', async () => {
    const gina = await principal('gina');
    const columns = { TableWithColumns: { DatabaseName: 'sales', Name: 'orders', ColumnNames: ['id', 'customer'] } };
    await lf.send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: 'gina' }, Resource: columns, Permissions: ['SELECT'] }));
    const listed = await lf.send(new ListPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: 'gina' } }));
    expect(listed.PrincipalResourcePermissions).toEqual([
      {
        Principal: { DataLakePrincipalIdentifier: 'gina' },
        Resource: { TableWithColumns: { CatalogId: '000000000000', DatabaseName: 'sales', Name: 'orders', ColumnNames: ['customer', 'id'] } },
        Permissions: ['SELECT'],
        PermissionsWithGrantOption: [],
      },
    ]);
    expect((await lf.send(new ListDataCellsFilterCommand({ Table: { DatabaseName: 'sales', Name: 'orders' } }))).DataCellsFilters).toEqual([]);
    expect((await gina.lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ARN('sales', 'orders') }))).VendedS3Path).toEqual(['s3://lakegate-demo/tables/orders']);
    expect(await failure(lf.send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: 'gina' }, Resource: columns, Permissions: ['INSERT'] })))).toMatchObject({ name: 'InvalidInputException' });
    expect(
      await failure(lf.send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: 'gina' }, Resource: { TableWithColumns: { DatabaseName: 'sales', Name: 'orders', ColumnNames: ['nope'] } }, Permissions: ['SELECT'] }))),
    ).toMatchObject({ name: 'InvalidInputException' });
    await lf.send(new RevokePermissionsCommand({ Principal: { DataLakePrincipalIdentifier: 'gina' }, Resource: { TableWithColumns: { DatabaseName: 'sales', Name: 'orders', ColumnNames: ['customer', 'id'] } }, Permissions: ['SELECT'] }));
    expect(await failure(gina.lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ARN('sales', 'orders') })))).toBeInstanceOf(LfAccessDenied);
    // With its last grant gone, the column set's filter goes too: revoking again finds nothing.
    expect(await failure(lf.send(new RevokePermissionsCommand({ Principal: { DataLakePrincipalIdentifier: 'gina' }, Resource: columns, Permissions: ['SELECT'] })))).toMatchObject({ name: 'EntityNotFoundException' });
  });

  it('DESCRIBE shows a table, ALTER changes it and its partitions, DROP deletes it — none of them vends', async () => {
    const hank = await principal('hank');
    await glue.send(new CreateTableCommand({ DatabaseName: 'sales', TableInput: { Name: 'scratch', StorageDescriptor: { Location: 's3://lakegate-demo/tables/scratch' }, PartitionKeys: [{ Name: 'day', Type: 'string' }] } }));
    const scratch = { Table: { DatabaseName: 'sales', Name: 'scratch' } };
    const grantHank = (Permissions: ('DESCRIBE' | 'ALTER' | 'DROP')[]) => lf.send(new GrantPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: 'hank' }, Resource: scratch, Permissions }));
    expect(await failure(hank.glue.send(new GetTableCommand({ DatabaseName: 'sales', Name: 'scratch' })))).toBeInstanceOf(GlueAccessDenied);
    await grantHank(['DESCRIBE']);
    const { Table } = await hank.glue.send(new GetTableCommand({ DatabaseName: 'sales', Name: 'scratch' }));
    expect(Table?.Name).toBe('scratch');
    expect(await failure(hank.lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ARN('sales', 'scratch') })))).toBeInstanceOf(LfAccessDenied);
    const partition = { Values: ['mon'], StorageDescriptor: { Location: 's3://lakegate-demo/tables/scratch/day=mon' } };
    expect(await failure(hank.glue.send(new CreatePartitionCommand({ DatabaseName: 'sales', TableName: 'scratch', PartitionInput: partition })))).toBeInstanceOf(GlueAccessDenied);
    await grantHank(['ALTER']);
    await hank.glue.send(new CreatePartitionCommand({ DatabaseName: 'sales', TableName: 'scratch', PartitionInput: partition }));
    // ALTER does not reach files outside the table: elsewhere needs CREATE EXTERNAL TABLE on that location.
    const elsewhere = { Values: ['tue'], StorageDescriptor: { Location: 's3://lakegate-demo/raw/tue' } };
    expect(await failure(hank.glue.send(new CreatePartitionCommand({ DatabaseName: 'sales', TableName: 'scratch', PartitionInput: elsewhere })))).toBeInstanceOf(GlueAccessDenied);
    const moved = { Name: 'scratch', StorageDescriptor: { ...Table!.StorageDescriptor!, Location: 's3://lakegate-demo/raw' }, PartitionKeys: Table!.PartitionKeys! };
    expect(await failure(hank.glue.send(new UpdateTableCommand({ DatabaseName: 'sales', TableInput: moved })))).toBeInstanceOf(GlueAccessDenied);
    await hank.glue.send(new UpdateTableCommand({ DatabaseName: 'sales', TableInput: { Name: 'scratch', Description: 'altered by hank', StorageDescriptor: Table!.StorageDescriptor!, PartitionKeys: Table!.PartitionKeys! } }));
    expect(await failure(hank.glue.send(new DeleteTableCommand({ DatabaseName: 'sales', Name: 'scratch' })))).toBeInstanceOf(GlueAccessDenied);
    const listed = await lf.send(new ListPermissionsCommand({ Principal: { DataLakePrincipalIdentifier: 'hank' } }));
    expect(listed.PrincipalResourcePermissions?.[0]?.Permissions).toEqual(['ALTER', 'DESCRIBE']);
    await grantHank(['DROP']);
    await hank.glue.send(new DeleteTableCommand({ DatabaseName: 'sales', Name: 'scratch' }));
    expect(await failure(glue.send(new GetTableCommand({ DatabaseName: 'sales', Name: 'scratch' })))).toBeInstanceOf(GlueEntityNotFound);
    // Grants go with the table: one created later under the same name starts with none.
    await glue.send(new CreateTableCommand({ DatabaseName: 'sales', TableInput: { Name: 'scratch', StorageDescriptor: { Location: 's3://lakegate-demo/tables/scratch' } } }));
    expect(await failure(hank.glue.send(new GetTableCommand({ DatabaseName: 'sales', Name: 'scratch' })))).toBeInstanceOf(GlueAccessDenied);
  });

  it('placing a table under an external location needs CREATE EXTERNAL TABLE there, even for the schema owner', async () => {
    const ivy = await principal('ivy');
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'ivy_db' } }));
    const patch = (path: string, body: unknown) => fetch(`${system.url}/api/2.1/unity-catalog/${path}`, { method: 'PATCH', headers: adminJson(), body: JSON.stringify(body) });
    expect((await patch('schemas/lakegate_demo.ivy_db', { owner: 'ivy' })).status).toBe(200);
    const create = () => ivy.glue.send(new CreateTableCommand({ DatabaseName: 'ivy_db', TableInput: { Name: 'mine', StorageDescriptor: { Location: 's3://lakegate-demo/tables/ivy' } } }));
    const refused = await failure(create());
    expect(refused).toBeInstanceOf(GlueAccessDenied);
    expect(refused.message).toContain('CREATE EXTERNAL TABLE');
    expect((await patch('permissions/external_location/demo-lake', { changes: [{ principal: 'ivy', add: ['CREATE_EXTERNAL_TABLE'] }] })).status).toBe(200);
    await create();
    expect((await ivy.glue.send(new GetTableCommand({ DatabaseName: 'ivy_db', Name: 'mine' }))).Table?.Owner).toBe('ivy');
  });

  it('a cloud refusal reaches the Lake Formation client as InternalServiceException, with nothing vended', async () => {
    // A role ARN STS rejects: the minter's AssumeRole fails upstream.
    await lf.send(new RegisterResourceCommand({ ResourceArn: 'arn:aws:s3:::lakegate-broken', RoleArn: 'arn:aws:iam::000000000000:role/not a valid name' }));
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'broken' } }));
    await glue.send(new CreateTableCommand({ DatabaseName: 'broken', TableInput: { Name: 't', StorageDescriptor: { Location: 's3://lakegate-broken/t' } } }));
    const error = await failure(lf.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ARN('broken', 't') })));
    expect(error).toBeInstanceOf(InternalServiceException);
    expect(error.$metadata.httpStatusCode).toBe(500);
  });

  it('DeleteTable takes partitions and filters with it; unknown targets and unsigned calls answer in Glue shape', async () => {
    await lf.send(new CreateDataCellsFilterCommand({ TableData: { TableCatalogId: '000000000000', DatabaseName: 'sales', TableName: 'orders', Name: 'ids', ColumnNames: ['id'] } }));
    await glue.send(new DeleteTableCommand({ DatabaseName: 'sales', Name: 'orders' }));
    expect(await failure(glue.send(new GetTableCommand({ DatabaseName: 'sales', Name: 'orders' })))).toBeInstanceOf(GlueEntityNotFound);
    expect((await lf.send(new ListDataCellsFilterCommand({}))).DataCellsFilters?.map((f) => `${f.DatabaseName}.${f.TableName}/${f.Name}`)).toEqual(['default.trips/paris_only']);
    const audited = await eventually('the Glue DeleteTable audit record', async () => {
      const events = await lookupEvents<{ readOnly: boolean; additionalEventData: { face: string }; userIdentity: { authMethod: string } }>(system, 'EventName', 'DeleteTable');
      return events[0]?.record;
    });
    expect(audited).toMatchObject({ readOnly: false, additionalEventData: { face: 'glue' }, userIdentity: { authMethod: 'sigv4' } });
    // Re-created under the same name, the table has no partitions left over.
    await glue.send(new CreateTableCommand({ DatabaseName: 'sales', TableInput: { Name: 'orders', StorageDescriptor: { Location: 's3://lakegate-demo/tables/orders' }, PartitionKeys: [{ Name: 'year', Type: 'int' }] } }));
    expect((await glue.send(new GetPartitionsCommand({ DatabaseName: 'sales', TableName: 'orders' }))).Partitions).toEqual([]);

    const unsigned = await fetch(`${system.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSGlue.GetTable' }, body: '{}' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(((await unsigned.json()) as { __type: string }).__type).toBe('MissingAuthenticationTokenException');
  });
});
