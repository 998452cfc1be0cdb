import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATALOG_KEYS } from '@lakegate/contracts';
import { put, remove } from '../test/catalog-fixture.js';
import { emptyCatalogState } from './catalog-state.js';
import { emptyLocationIndex, indexLocation, objectOverlapping, unindexLocation } from './location-index.js';
import { locationCovers, normaliseLocation } from './storage-url.js';

// A small alphabet, so that generated locations often nest in and share ancestors with each other.
const segment = fc.constantFrom('a', 'b', 'a_b', 'x y', '%2F', 'é');
const location = fc
  .tuple(fc.constantFrom('s3://lake', 's3://lake', 'gs://lake', 'abfss://data@acct.dfs.core.windows.net'), fc.array(segment, { maxLength: 3 }))
  .map(([root, segs]) => [root, ...segs.map(encodeURIComponent)].join('/'));

describe('LocationIndex', () => {
  it('answers as a scan of every object would, through adds and removes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.option(location, { nil: undefined })), { maxLength: 30 }), location, (ops, probe) => {
        const index = emptyLocationIndex();
        const objects = new Map<number, string>();
        for (const [id, loc] of ops) {
          if (loc === undefined) {
            unindexLocation(index, `o${id}`);
            objects.delete(id);
          } else {
            indexLocation(index, `o${id}`, loc, `object ${id}`);
            objects.set(id, loc);
          }
        }
        const target = normaliseLocation(probe);
        const scan = [...objects.values()].some((l) => {
          const u = normaliseLocation(l);
          return locationCovers(u, target) || locationCovers(target, u);
        });
        expect(objectOverlapping(index, target) !== undefined).toBe(scan);
      }),
      { numRuns: 2000 },
    );
  });

  it('matches on path-segment boundaries and names the object', () => {
    const index = emptyLocationIndex();
    indexLocation(index, 't1', 's3://lake/sales', "table 'c.s.sales'");
    expect(objectOverlapping(index, normaliseLocation('s3://lake/sales_archive'))).toBeUndefined();
    expect(objectOverlapping(index, normaliseLocation('s3://lake/sales/2024'))).toBe("table 'c.s.sales'");
    expect(objectOverlapping(index, normaliseLocation('s3://lake'))).toBe("table 'c.s.sales'");
    expect(objectOverlapping(index, normaliseLocation('s3a://LAKE//sales/'))).toBe("table 'c.s.sales'");
  });

  it("leaves an object's own locations out when asked: a table's partitions may overlap it, nothing else may", () => {
    const index = emptyLocationIndex();
    indexLocation(index, 'table:t1', 's3://lake/t1', "table 'c.s.t1'");
    indexLocation(index, 'partition:t1:["1"]', 's3://lake/t1/p=1', 'partition [1]');
    indexLocation(index, 'table:t2', 's3://lake/t2', "table 'c.s.t2'");
    const own = new Set(['table:t1', 'partition:t1:["1"]']);
    expect(objectOverlapping(index, normaliseLocation('s3://lake/t1/p=2'), own)).toBeUndefined();
    expect(objectOverlapping(index, normaliseLocation('s3://lake/t1'), own)).toBeUndefined();
    expect(objectOverlapping(index, normaliseLocation('s3://lake/t2/x'), own)).toBe("table 'c.s.t2'");
    expect(objectOverlapping(index, normaliseLocation('s3://lake'), own)).toBe('1 catalog object(s) under it');
    expect(objectOverlapping(index, normaliseLocation('s3://lake'))).toBeDefined();
  });

  it('follows the catalog: tables with auxiliary locations, volumes and partitions, moved and deleted', () => {
    const s = emptyCatalogState();
    const table = { table_id: 't1', catalog_name: 'c', schema_name: 's', name: 't', full_name: 'c.s.t', table_type: 'EXTERNAL', data_source_format: 'DELTA', storage_location: 's3://lake/t', owner: 'o', created_at: 1 };
    put(s, CATALOG_KEYS.table('t1'), { ...table, auxiliary_locations: ['s3://lake/aux/t'] });
    put(s, CATALOG_KEYS.partition('t1', ['2024']), { table_id: 't1', table_full_name: 'c.s.t', values: ['2024'], storage_location: 's3://archive/t/2024', created_at: 1 });
    const at = (url: string) => objectOverlapping(s.locationIndex, normaliseLocation(url));
    expect(at('s3://lake/aux/t/x')).toBe("table 'c.s.t'");
    expect(at('s3://archive/t/2024/f')).toBe("partition [2024] of table 'c.s.t'");
    put(s, CATALOG_KEYS.table('t1'), { ...table, storage_location: 's3://lake/moved' });
    expect(at('s3://lake/t')).toBeUndefined();
    expect(at('s3://lake/aux/t')).toBeUndefined();
    expect(at('s3://lake/moved/x')).toBe("table 'c.s.t'");
    remove(s, CATALOG_KEYS.partition('t1', ['2024']));
    expect(at('s3://archive')).toBeUndefined();
    remove(s, CATALOG_KEYS.table('t1'));
    expect(at('s3://lake')).toBeUndefined();
    expect(s.locationIndex.ancestors.size + s.locationIndex.exact.size + s.locationIndex.byObject.size).toBe(0);
  });
});
