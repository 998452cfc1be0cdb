/** The catalog the bench loads: one principal, many granted volumes, a few that are not granted. */

/** The principal the launcher gives `LAKEGATE_DEMO_TOKEN` to; the bench calls as it. */
export const BENCH_PRINCIPAL = 'demo';
export const BENCH_CATALOG = 'bench';

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
  return {
    metastore: { name: 'lakegate-bench', region: 'us-east-1', cloud: 'aws', aws_account_id: '000000000000', external_access_enabled: true },
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
    grants: [
      grant('catalog', BENCH_CATALOG, ['USE CATALOG']),
      grant('schema', `${BENCH_CATALOG}.granted`, ['USE SCHEMA', 'EXTERNAL USE SCHEMA', 'READ VOLUME']),
      grant('schema', `${BENCH_CATALOG}.denied`, ['USE SCHEMA', 'EXTERNAL USE SCHEMA']),
    ],
  };
}
