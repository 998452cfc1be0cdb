import { describe, expect, it } from 'vitest';
import { CATALOG_KEYS, cellsFilterSecurableName, type DataCellsFilterInfo, type PartitionInfo, type TableInfo } from '@lakegate/contracts';
import { grant, put, remove } from '../test/catalog-fixture.js';
import { emptyCatalogState, type CatalogState } from './catalog-state.js';
import { decideDataLocationsAccess, decideGlueTableAccess, permissionTypeOf, resolveGlueTableArn } from './lf-access.policy.js';

const ARN = 'arn:aws:glue:us-east-1:123456789012:table/sales/trips';
const TABLE: TableInfo = {
  table_id: 't1', catalog_name: 'main', schema_name: 'sales', name: 'trips', full_name: 'main.sales.trips', table_type: 'EXTERNAL',
  data_source_format: 'PARQUET', storage_location: 's3://lake/tables/trips', owner: 'owner1', created_at: 1,
  columns: [{ name: 'id', type_name: 'bigint' }, { name: 'fare', type_name: 'double' }, { name: 'year', type_name: 'string', partition_index: 0 }],
};

/** A Glue catalog `main` with table sales.trips; full-table vending on; bob has nothing yet. */
function fixture(): CatalogState {
  const s = emptyCatalogState();
  put(s, CATALOG_KEYS.metastore, {
    metastore_id: 'm', name: 'm', region: 'us-east-1', cloud: 'aws', aws_account_id: '123456789012', external_access_enabled: true, allow_full_table_external_data_access: true,
  });
  put(s, CATALOG_KEYS.catalog('main'), { name: 'main', owner: 'admin', created_at: 1 });
  put(s, CATALOG_KEYS.schema('main.sales'), { catalog_name: 'main', name: 'sales', full_name: 'main.sales', owner: 'admin', created_at: 1 });
  put(s, CATALOG_KEYS.principal('bob'), { name: 'bob', type: 'USER', member_of: ['analysts'] });
  put(s, CATALOG_KEYS.principal('analysts'), { name: 'analysts', type: 'GROUP' });
  put(s, CATALOG_KEYS.storageCredential('cred'), { name: 'cred', owner: 'admin', aws_iam_role: { role_arn: 'arn:aws:iam::123456789012:role/r' } });
  put(s, CATALOG_KEYS.externalLocation('lake'), { name: 'lake', url: 's3://lake', credential_name: 'cred', owner: 'admin' });
  put(s, CATALOG_KEYS.table('t1'), TABLE);
  return s;
}

const partition = (values: string[], location: string): PartitionInfo => ({ table_id: 't1', table_full_name: 'main.sales.trips', values, storage_location: location, created_at: 1 });
const filter = (name: string, f: Partial<DataCellsFilterInfo>): DataCellsFilterInfo => ({ table_full_name: 'main.sales.trips', name, owner: 'admin', created_at: 1, ...f });
const addFilter = (s: CatalogState, f: DataCellsFilterInfo, grantee = 'bob') => {
  put(s, CATALOG_KEYS.cellsFilter(f.table_full_name, f.name), f);
  grant(s, 'data_cells_filter', cellsFilterSecurableName(f.table_full_name, f.name), grantee, ['SELECT']);
};

describe('resolveGlueTableArn', () => {
  it('maps the ARN onto the Glue catalog and refuses other regions, accounts and malformed ARNs', () => {
    const s = fixture();
    expect(resolveGlueTableArn(s, ARN)).toEqual({ fullName: 'main.sales.trips' });
    for (const bad of ['arn:aws:glue:eu-west-1:123456789012:table/sales/trips', 'arn:aws:glue:us-east-1:999999999999:table/sales/trips', 'arn:aws:glue:us-east-1:123456789012:database/sales', 'trips']) {
      expect(resolveGlueTableArn(s, bad)).toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });
});

describe('decideGlueTableAccess', () => {
  it('denies without SELECT and vends the table location with it', () => {
    const s = fixture();
    expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN })).toMatchObject({ allow: false, error: { code: 'PERMISSION_DENIED', details: { awsException: 'AccessDeniedException' } } });
    grant(s, 'table', 'main.sales.trips', 'analysts', ['SELECT']);
    expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN })).toMatchObject({ allow: true, scope: { locations: [{ url: 's3://lake/tables/trips', access: 'read' }] } });
  });

  it('needs MODIFY for write permissions', () => {
    const s = fixture();
    grant(s, 'table', 'main.sales.trips', 'bob', ['SELECT']);
    expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN, permissions: ['SELECT', 'INSERT'] })).toMatchObject({ allow: false, error: { message: expect.stringContaining('MODIFY') } });
    grant(s, 'table', 'main.sales.trips', 'bob', ['SELECT', 'MODIFY']);
    expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN, permissions: ['SELECT', 'INSERT'] })).toMatchObject({ allow: true, scope: { locations: [{ access: 'write' }] } });
  });

  it('refuses when full-table credential vending is off, whatever the grants', () => {
    const s = fixture();
    grant(s, 'table', 'main.sales.trips', 'bob', ['ALL PRIVILEGES']);
    put(s, CATALOG_KEYS.metastore, { metastore_id: 'm', name: 'm', region: 'us-east-1', cloud: 'aws', aws_account_id: '123456789012', external_access_enabled: true });
    expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN })).toMatchObject({ allow: false, error: { message: expect.stringContaining('AllowFullTableExternalDataAccess') } });
  });

  it("vends a partition's own location, even outside the table's, and nothing for an unknown partition", () => {
    const s = fixture();
    grant(s, 'table', 'main.sales.trips', 'bob', ['SELECT']);
    put(s, CATALOG_KEYS.partition('t1', ['2024']), partition(['2024'], 's3://lake/archive/trips-2024'));
    const d = decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN, partitionValues: ['2024'] });
    expect(d).toMatchObject({ allow: true, scope: { locations: [{ url: 's3://lake/archive/trips-2024', access: 'read' }] } });
    if (d.allow) expect(d.resources).toContainEqual({ type: 'partition', name: 'main.sales.trips/["2024"]' });
    expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN, partitionValues: ['2025'] })).toMatchObject({
      allow: false,
      error: { code: 'NOT_FOUND', details: { awsException: 'EntityNotFoundException' } },
    });
  });

  it('a deleted partition vends nothing', () => {
    const s = fixture();
    grant(s, 'table', 'main.sales.trips', 'bob', ['SELECT']);
    put(s, CATALOG_KEYS.partition('t1', ['2024']), partition(['2024'], 's3://lake/tables/trips/year=2024'));
    remove(s, CATALOG_KEYS.partition('t1', ['2024']));
    expect(s.partitions.has('t1')).toBe(false);
    expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN, partitionValues: ['2024'] })).toMatchObject({ allow: false, error: { code: 'NOT_FOUND' } });
  });

  it("accepts an S3Path under the table or one of its partitions' locations, nothing else", () => {
    const s = fixture();
    grant(s, 'table', 'main.sales.trips', 'bob', ['SELECT']);
    put(s, CATALOG_KEYS.partition('t1', ['2024']), partition(['2024'], 's3://lake/archive/trips-2024'));
    expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN, s3Path: 's3://lake/tables/trips/part-0' })).toMatchObject({ allow: true, scope: { locations: [{ url: 's3://lake/tables/trips/part-0' }] } });
    expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN, s3Path: 's3://lake/archive/trips-2024/x' })).toMatchObject({ allow: true });
    for (const outside of ['s3://lake/tables/trips_archive', 's3://lake/archive', 's3://lake/tables/trips/../other']) {
      expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN, s3Path: outside })).toMatchObject({ allow: false, error: { details: { awsException: 'InvalidInputException' } } });
    }
  });

  describe('data cells filters', () => {
    it('classifies filters by what an engine must enforce', () => {
      expect(permissionTypeOf(filter('all', {}), TABLE)).toBeUndefined();
      expect(permissionTypeOf(filter('every-column', { column_names: ['id', 'fare', 'year'] }), TABLE)).toBeUndefined();
      expect(permissionTypeOf(filter('cols', { column_names: ['id'] }), TABLE)).toBe('COLUMN_PERMISSION');
      expect(permissionTypeOf(filter('excl', { excluded_column_names: ['fare'] }), TABLE)).toBe('COLUMN_PERMISSION');
      expect(permissionTypeOf(filter('rows', { row_filter_expression: "year = '2024'" }), TABLE)).toBe('CELL_FILTER_PERMISSION');
    });

    it('a column filter is honoured by an engine that enforces columns (the default), a row filter needs CELL_FILTER_PERMISSION', () => {
      const s = fixture();
      addFilter(s, filter('no-fare', { excluded_column_names: ['fare'] }));
      const columns = decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN });
      expect(columns).toMatchObject({ allow: true });
      if (columns.allow) expect(columns.resources).toContainEqual({ type: 'data_cells_filter', name: 'main.sales.trips/no-fare' });

      addFilter(s, filter('recent', { row_filter_expression: "year >= '2024'" }));
      const mismatch = decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN, supportedPermissionTypes: ['COLUMN_PERMISSION'] });
      expect(mismatch).toMatchObject({ allow: false, error: { code: 'FAILED_PRECONDITION', details: { awsException: 'PermissionTypeMismatchException' } } });
      if (!mismatch.allow) expect(mismatch.error.message).toContain('CELL_FILTER_PERMISSION');
      expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN, supportedPermissionTypes: ['CELL_FILTER_PERMISSION'] })).toMatchObject({ allow: true });
    });

    it('an unrestricted filter or a plain SELECT makes the read unfiltered', () => {
      const s = fixture();
      addFilter(s, filter('recent', { row_filter_expression: "year >= '2024'" }));
      expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN }).allow).toBe(false);
      grant(s, 'table', 'main.sales.trips', 'bob', ['SELECT']);
      expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN }).allow).toBe(true);
    });

    it('filters never grant writes, and a filter granted to someone else grants nothing', () => {
      const s = fixture();
      addFilter(s, filter('cols', { column_names: ['id'] }));
      expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN, permissions: ['INSERT'], supportedPermissionTypes: ['CELL_FILTER_PERMISSION'] })).toMatchObject({
        allow: false,
        error: { details: { awsException: 'AccessDeniedException' } },
      });
      const other = fixture();
      addFilter(other, filter('cols', { column_names: ['id'] }), 'carol');
      expect(decideGlueTableAccess(other, { principal: 'bob', tableArn: ARN }).allow).toBe(false);
    });

    it('a filter granted to a group applies to its members; a deleted filter grants nothing', () => {
      const s = fixture();
      const f = filter('cols', { column_names: ['id'] });
      addFilter(s, f, 'analysts');
      expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN }).allow).toBe(true);
      remove(s, CATALOG_KEYS.cellsFilter(f.table_full_name, f.name));
      expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN }).allow).toBe(false);
    });
  });
});

describe('decideDataLocationsAccess', () => {
  it("associates a location with a table through a partition's location", () => {
    const s = fixture();
    grant(s, 'table', 'main.sales.trips', 'bob', ['SELECT']);
    expect(decideDataLocationsAccess(s, { principal: 'bob', urls: ['s3://lake/archive/trips-2024'], access: 'read' })).toMatchObject({
      allow: false,
      error: { details: { awsException: 'InvalidInputException' } },
    });
    put(s, CATALOG_KEYS.partition('t1', ['2024']), partition(['2024'], 's3://lake/archive/trips-2024'));
    expect(decideDataLocationsAccess(s, { principal: 'bob', urls: ['s3://lake/archive/trips-2024'], access: 'read' })).toMatchObject({ allow: true });
  });
});

describe('regions', () => {
  it('refuses tables and data locations registered in another region', () => {
    const s = fixture();
    grant(s, 'table', 'main.sales.trips', 'bob', ['SELECT']);
    expect(decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN }).allow).toBe(true);
    put(s, CATALOG_KEYS.externalLocation('lake'), { name: 'lake', url: 's3://lake', credential_name: 'cred', owner: 'admin', region: 'eu-west-1' });
    const d = decideGlueTableAccess(s, { principal: 'bob', tableArn: ARN });
    expect(d).toMatchObject({ allow: false, error: { details: { awsException: 'InvalidInputException' } } });
    if (!d.allow) expect(d.error.message).toContain('eu-west-1');
    expect(decideDataLocationsAccess(s, { principal: 'bob', urls: ['s3://lake/tables/trips'], access: 'read' }).allow).toBe(false);
    put(s, CATALOG_KEYS.externalLocation('lake'), { name: 'lake', url: 's3://lake', credential_name: 'cred', owner: 'admin', region: 'us-east-1' });
    expect(decideDataLocationsAccess(s, { principal: 'bob', urls: ['s3://lake/tables/trips'], access: 'read' }).allow).toBe(true);
  });
});
