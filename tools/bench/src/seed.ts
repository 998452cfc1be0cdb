/** The catalog the bench loads: one principal, many granted volumes, a few that are not granted, one table per other face. */

/** The principal the launcher gives `LAKEGATE_DEMO_TOKEN` to; the bench calls as it. */
export const BENCH_PRINCIPAL = 'demo';
export const BENCH_CATALOG = 'bench';
/** The metastore's region and AWS account: Glue table ARNs and SigV4 scopes name them. */
export const BENCH_REGION = 'us-east-1';
export const BENCH_AWS_ACCOUNT = '000000000000';

/**
 * Full names of the tables the other faces' cache-hit scenarios ask for, one per face, each at its
 * own location so that no face's credential is another's cache entry. The catalog is also the Glue
 * Data Catalog of the AWS faces (Glue database = schema).
 */
export const BENCH_TABLES = {
  lakeFormation: `${BENCH_CATALOG}.granted.lf_hit`,
  deltaSharing: `${BENCH_CATALOG}.granted.shared_hit`,
  iceberg: `${BENCH_CATALOG}.granted.iceberg_hit`,
} as const;

/** The `catalog.schema.table` parts of a full name. */
export function splitFullName(fullName: string): { catalog: string; schema: string; table: string } {
  const parts = fullName.split('.');
  const [catalog, schema, table] = parts;
  if (parts.length !== 3 || !catalog || !schema || !table) throw new Error(`'${fullName}' is not catalog.schema.table`);
  return { catalog, schema, table };
}

/** The Glue table ARN the Lake Formation face resolves to a table of the bench catalog. */
export function glueTableArn(fullName: string): string {
  const { catalog, schema, table } = splitFullName(fullName);
  if (catalog !== BENCH_CATALOG) throw new Error(`only tables of catalog '${BENCH_CATALOG}' (the Glue catalog of the bench metastore) have a Glue ARN, not '${fullName}'`);
  return `arn:aws:glue:${BENCH_REGION}:${BENCH_AWS_ACCOUNT}:table/${schema}/${table}`;
}

export interface SeedSizes {
  /** Volumes the warm-up asks for once each, so the minting path is warm before it is measured. */
  warmVolumes: number;
  /** Volumes that the cache-miss scenario asks for once each. */
  missVolumes: number;
  /** Volumes in a schema where the principal lacks READ VOLUME. */
  deniedVolumes: number;
}

/** Full names of the volumes each scenario uses; ids are resolved from the running catalog. */
export interface BenchVolumeNames {
  /** The one volume cache-hit scenarios ask for again and again. */
  hit: string;
  /** Never asked for before the herd. */
  herd: string;
  warm: string[];
  miss: string[];
  denied: string[];
}

const pad = (n: number) => String(n).padStart(6, '0');

export function benchVolumeNames(sizes: SeedSizes): BenchVolumeNames {
  return {
    hit: `${BENCH_CATALOG}.granted.hit`,
    herd: `${BENCH_CATALOG}.granted.herd`,
    warm: Array.from({ length: sizes.warmVolumes }, (_, i) => `${BENCH_CATALOG}.granted.w${pad(i + 1)}`),
    miss: Array.from({ length: sizes.missVolumes }, (_, i) => `${BENCH_CATALOG}.granted.v${pad(i + 1)}`),
    denied: Array.from({ length: sizes.deniedVolumes }, (_, i) => `${BENCH_CATALOG}.denied.v${pad(i + 1)}`),
  };
}

/** Every volume, in the order the seed lists them. */
export const allVolumeNames = (names: BenchVolumeNames): string[] => [names.hit, names.herd, ...names.warm, ...names.miss, ...names.denied];

/**
 * A catalog seed (the shape `LAKEGATE_SEED_FILE` takes) in which every volume has its own
 * location, so every credential scope differs. Grants sit on the schema (inherited by its
 * volumes): `bench.granted` gives the principal READ VOLUME, `bench.denied` does not. The
 * usage privileges (USE CATALOG, USE SCHEMA, EXTERNAL USE SCHEMA) are granted on both, so a
 * denial is about the volume privilege only.
 */
export function benchSeed(sizes: SeedSizes): Record<string, unknown> {
  const names = benchVolumeNames(sizes);
  const volume = (fullName: string) => {
    const [catalog_name, schema_name, name] = fullName.split('.') as [string, string, string];
    return { catalog_name, schema_name, name, volume_type: 'EXTERNAL', storage_location: `s3://lakegate-bench/${schema_name}/${name}`, owner: 'admin' };
  };
  const grant = (securable_type: string, securable_name: string, privileges: string[]) => ({
    securable_type,
    securable_name,
    privilege_assignments: [{ principal: BENCH_PRINCIPAL, privileges }],
  });
  const table = (fullName: string) => {
    const { catalog, schema, table: name } = splitFullName(fullName);
    return { catalog_name: catalog, schema_name: schema, name, table_type: 'EXTERNAL', data_source_format: 'DELTA', storage_location: `s3://lakegate-bench/tables/${name}`, owner: 'admin' };
  };
  return {
    metastore: {
      name: 'lakegate-bench',
      region: BENCH_REGION,
      cloud: 'aws',
      aws_account_id: BENCH_AWS_ACCOUNT,
      external_access_enabled: true,
      // The Lake Formation face: the bench catalog is the Glue Data Catalog, and full-table vending is allowed.
      aws_glue_catalog: BENCH_CATALOG,
      allow_full_table_external_data_access: true,
    },
    principals: [
      { name: BENCH_PRINCIPAL, type: 'USER' },
      { name: 'admin', type: 'USER' },
    ],
    storage_credentials: [
      { name: 'bench-s3', owner: 'admin', aws_iam_role: { role_arn: 'arn:aws:iam::000000000000:role/lakegate-bench', external_id: 'lakegate-bench' } },
    ],
    external_locations: [{ name: 'bench-lake', url: 's3://lakegate-bench', credential_name: 'bench-s3', owner: 'admin' }],
    catalogs: [{ name: BENCH_CATALOG, owner: 'admin' }],
    schemas: [
      { catalog_name: BENCH_CATALOG, name: 'granted', owner: 'admin' },
      { catalog_name: BENCH_CATALOG, name: 'denied', owner: 'admin' },
    ],
    volumes: allVolumeNames(names).map(volume),
    tables: Object.values(BENCH_TABLES).map(table),
    grants: [
      grant('catalog', BENCH_CATALOG, ['USE CATALOG']),
      grant('schema', `${BENCH_CATALOG}.granted`, ['USE SCHEMA', 'EXTERNAL USE SCHEMA', 'READ VOLUME']),
      grant('schema', `${BENCH_CATALOG}.denied`, ['USE SCHEMA', 'EXTERNAL USE SCHEMA']),
      // The principal reads these two tables itself (Lake Formation, Iceberg); the Delta Sharing
      // table is read by a recipient the bench creates, through a share.
      grant('table', BENCH_TABLES.lakeFormation, ['SELECT']),
      grant('table', BENCH_TABLES.iceberg, ['SELECT']),
    ],
  };
}
