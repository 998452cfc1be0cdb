import { describe, expect, it } from 'vitest';
import { allVolumeNames, BENCH_PRINCIPAL, benchSeed, benchVolumeNames } from './seed.js';

interface Volume { catalog_name: string; schema_name: string; name: string; storage_location: string }
interface Grant { securable_type: string; securable_name: string; privilege_assignments: { principal: string; privileges: string[] }[] }

describe('the bench catalog', () => {
  const sizes = { warmVolumes: 5, missVolumes: 300, deniedVolumes: 7 };
  const seed = benchSeed(sizes) as { volumes: Volume[]; grants: Grant[]; metastore: { external_access_enabled: boolean } };
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
});
