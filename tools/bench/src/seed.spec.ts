import { describe, expect, it } from 'vitest';
import { allVolumeNames, BENCH_PRINCIPAL, BENCH_TABLES, benchSeed, benchVolumeNames, glueTableArn, splitFullName } from './seed.js';

interface Volume { catalog_name: string; schema_name: string; name: string; storage_location: string }
interface Grant { securable_type: string; securable_name: string; privilege_assignments: { principal: string; privileges: string[] }[] }
interface Table { catalog_name: string; schema_name: string; name: string; storage_location: string; owner: string }
interface Metastore { region: string; aws_account_id: string; external_access_enabled: boolean; aws_glue_catalog?: string; allow_full_table_external_data_access?: boolean }

describe('the bench catalog', () => {
  const sizes = { warmVolumes: 5, missVolumes: 300, deniedVolumes: 7 };
  const seed = benchSeed(sizes) as { volumes: Volume[]; tables: Table[]; grants: Grant[]; metastore: Metastore };
  const names = benchVolumeNames(sizes);

  it('holds every volume the scenarios use, once, each at its own location', () => {
    const fullNames = seed.volumes.map((v) => `${v.catalog_name}.${v.schema_name}.${v.name}`);
    expect(fullNames).toHaveLength(2 + 5 + 300 + 7);
    expect(new Set(fullNames).size).toBe(fullNames.length);
    expect(new Set(seed.volumes.map((v) => v.storage_location)).size).toBe(fullNames.length);
    expect(fullNames).toEqual(allVolumeNames(names));
  });

  it('keeps the scenario volume sets apart', () => {
    const granted = new Set([names.hit, names.herd, ...names.warm, ...names.miss]);
    expect(granted.size).toBe(307);
    for (const d of names.denied) expect(granted.has(d)).toBe(false);
  });

  it('grants READ VOLUME on the granted schema only, with the usage privileges on both', () => {
    const privilegesOn = (type: string, name: string) =>
      seed.grants.filter((g) => g.securable_type === type && g.securable_name === name).flatMap((g) => g.privilege_assignments.filter((a) => a.principal === BENCH_PRINCIPAL).flatMap((a) => a.privileges));
    expect(privilegesOn('catalog', 'bench')).toEqual(['USE CATALOG']);
    expect(privilegesOn('schema', 'bench.granted')).toEqual(['USE SCHEMA', 'EXTERNAL USE SCHEMA', 'READ VOLUME']);
    expect(privilegesOn('schema', 'bench.denied')).toEqual(['USE SCHEMA', 'EXTERNAL USE SCHEMA']);
    expect(seed.grants.filter((g) => g.securable_type === 'volume')).toEqual([]);
    expect(seed.metastore.external_access_enabled).toBe(true);
  });

  it('names volumes by index, so a smaller run uses a prefix of a larger seed', () => {
    const small = benchVolumeNames({ warmVolumes: 2, missVolumes: 10, deniedVolumes: 3 });
    expect(names.warm.slice(0, 2)).toEqual(small.warm);
    expect(names.miss.slice(0, 10)).toEqual(small.miss);
    expect(names.denied.slice(0, 3)).toEqual(small.denied);
  });

  it('holds one table per other face, each at its own location outside every volume', () => {
    const fullNames = seed.tables.map((t) => `${t.catalog_name}.${t.schema_name}.${t.name}`);
    expect(fullNames.sort()).toEqual(Object.values(BENCH_TABLES).sort());
    const locations = seed.tables.map((t) => t.storage_location);
    expect(new Set(locations).size).toBe(3);
    for (const l of locations) for (const v of seed.volumes) expect(`${l}/`.startsWith(`${v.storage_location}/`) || `${v.storage_location}/`.startsWith(`${l}/`)).toBe(false);
  });

  it('grants SELECT on the Lake Formation and Iceberg tables to the principal, not on the shared one', () => {
    const selects = seed.grants.filter((g) => g.securable_type === 'table' && g.privilege_assignments.some((a) => a.principal === BENCH_PRINCIPAL && a.privileges.includes('SELECT')));
    expect(selects.map((g) => g.securable_name).sort()).toEqual([BENCH_TABLES.iceberg, BENCH_TABLES.lakeFormation].sort());
  });

  it('makes the bench catalog the Glue Data Catalog, with full-table vending allowed, so Glue ARNs resolve to its tables', () => {
    expect(seed.metastore).toMatchObject({ aws_glue_catalog: 'bench', allow_full_table_external_data_access: true, region: 'us-east-1', aws_account_id: '000000000000' });
    expect(glueTableArn(BENCH_TABLES.lakeFormation)).toBe('arn:aws:glue:us-east-1:000000000000:table/granted/lf_hit');
    // The edge's pattern (libs/domain lf-access.policy.ts): database and table are the schema and the table.
    const m = /^arn:(aws|aws-cn|aws-us-gov):glue:([a-z0-9-]+):(\d{12}):table\/([^/]+)\/([^/]+)$/.exec(glueTableArn(BENCH_TABLES.lakeFormation));
    expect(m?.slice(2)).toEqual([seed.metastore.region, seed.metastore.aws_account_id, 'granted', 'lf_hit']);
    expect(() => glueTableArn('other.granted.t')).toThrow(/catalog 'bench'/);
  });

  it('splits full names, and refuses anything but three parts', () => {
    expect(splitFullName('a.b.c')).toEqual({ catalog: 'a', schema: 'b', table: 'c' });
    for (const bad of ['a.b', 'a.b.c.d', 'a..c', '']) expect(() => splitFullName(bad)).toThrow();
  });
});
