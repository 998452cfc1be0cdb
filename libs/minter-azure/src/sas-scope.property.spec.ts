import { LakegateError, type StorageLocation } from '@lakegate/contracts';
import { locationCovers, normaliseLocation } from '@lakegate/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planSasScope } from './sas-scope.js';

const ACCOUNT = 'lakeacct1';
const HOST = `${ACCOUNT}.dfs.core.windows.net`;

// Segments with the characters that make paths tricky: spaces, dots, percent signs, unicode, prefixes of each other.
const segment = fc.oneof(
  fc.constantFrom('a', 'ab', 'sales', 'sales_archive', 'sale', '.', '..', '...', 'x y', '%41', '日本', 'a%2Fb', 'year=2024'),
  fc.stringMatching(/^[a-z0-9_=-]{1,6}$/),
);
const path = fc.array(segment, { maxLength: 4 }).map((segs) => segs.join('/'));
const location = fc.record({
  container: fc.constantFrom('sales', 'sales2'),
  path,
  access: fc.constantFrom('read' as const, 'write' as const),
  slashes: fc.constantFrom('/', '//'),
});
const toLocation = (l: { container: string; path: string; access: 'read' | 'write'; slashes: string }): StorageLocation => ({
  url: `abfss://${l.container}@${HOST}${l.path === '' ? '' : `${l.slashes}${l.path}`}`,
  access: l.access,
});

describe('planSasScope, for any set of locations', () => {
  it('either refuses with a catalog error or returns exactly one of the requested locations, covering all of them', () => {
    const outcomes = { vended: 0, refused: 0 };
    fc.assert(
      fc.property(fc.array(location, { minLength: 1, maxLength: 4 }), fc.boolean(), (raw, hierarchicalNamespace) => {
        const locations = raw.map(toLocation);
        let scope;
        try {
          scope = planSasScope(locations, { accountName: ACCOUNT, hierarchicalNamespace });
        } catch (error) {
          expect(error).toBeInstanceOf(LakegateError);
          expect(['INVALID_ARGUMENT', 'FAILED_PRECONDITION']).toContain((error as LakegateError).code);
          outcomes.refused++;
          return;
        }
        outcomes.vended++;
        const granted = normaliseLocation(`abfss://${scope.container}@${HOST}/${scope.directory}`);
        const requested = locations.map((l) => ({ url: normaliseLocation(l.url), write: l.access === 'write' }));
        // Never wider: the SAS scope is one of the requested locations…
        const same = requested.filter((r) => r.url.url === granted.url);
        expect(same.length).toBeGreaterThan(0);
        // …with write only when write was asked for there…
        if (scope.access === 'write') expect(same.some((r) => r.write)).toBe(true);
        // …and never narrower: it covers every requested location, with write wherever write was asked.
        for (const r of requested) {
          expect(locationCovers(granted, r.url)).toBe(true);
          if (r.write) expect(scope.access).toBe('write');
        }
        // A flat account only ever gets a container SAS; a directory SAS names its depth.
        if (!hierarchicalNamespace) expect(scope.resource).toBe('c');
        expect(scope.directoryDepth).toBe(granted.segments.length);
        expect(scope.resource).toBe(granted.segments.length === 0 ? 'c' : 'd');
      }),
      { numRuns: 500 },
    );
    // Both branches must really run, or the property says nothing.
    expect(outcomes.vended).toBeGreaterThan(25);
    expect(outcomes.refused).toBeGreaterThan(50);
  });
});
