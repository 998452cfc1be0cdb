import { LakegateError, type StorageLocation } from '@lakegate/contracts';
import { locationCovers, normaliseLocation, type StorageUrl } from '@lakegate/domain';

/** SAS permissions by access level, in the order Azure requires. */
export const SAS_PERMISSIONS = { read: 'rl', write: 'racwdl' } as const;
export type SasPermissions = (typeof SAS_PERMISSIONS)[keyof typeof SAS_PERMISSIONS];

/** The storage account a storage credential governs. */
export interface AzureAccountRef {
  readonly accountName: string;
  /** ADLS Gen2: directory SAS possible. */
  readonly hierarchicalNamespace: boolean;
}

/** Exactly what one user delegation SAS will reach. */
export interface SasScope {
  readonly accountName: string;
  /** `<account>.dfs.core.windows.net`, as clients address the account (and key their SAS tokens). */
  readonly accountHost: string;
  readonly container: string;
  /** `c` = the whole container, `d` = one directory and everything under it (hierarchical namespace only). */
  readonly resource: 'c' | 'd';
  /** The directory path under the container ('' for a container SAS), decoded, without leading or trailing slash. */
  readonly directory: string;
  /** `sdd`: the number of path segments of `directory` (0 for a container SAS). */
  readonly directoryDepth: number;
  readonly access: 'read' | 'write';
  readonly permissions: SasPermissions;
}

interface ScopedLocation {
  readonly location: StorageUrl;
  readonly write: boolean;
}

/**
 * The one SAS scope that reaches exactly these locations, never more:
 * - hierarchical namespace: a directory SAS (`sr=d`, `sdd` = depth) on the location, or a container
 *   SAS (`sr=c`) when the location is the whole container;
 * - flat namespace: a container SAS only when the grant is the whole container; a narrower grant is
 *   refused with FAILED_PRECONDITION, because a flat account cannot scope a SAS to a prefix.
 * Read = `rl`, write = `racwdl`. Locations inside another one add nothing. One SAS covers one
 * container and one directory: locations in several containers, disjoint directories, or a write
 * location inside a read-only one are INVALID_ARGUMENT (request them separately). Locations outside
 * the credential's account are FAILED_PRECONDITION.
 */
export function planSasScope(locations: readonly StorageLocation[], account: AzureAccountRef): SasScope {
  if (locations.length === 0) throw new LakegateError('INVALID_ARGUMENT', 'No storage location to scope an Azure SAS to.');
  const accountHost = `${account.accountName}.dfs.core.windows.net`;
  const scoped = distinct(locations.map((l) => parseLocation(l, account.accountName, accountHost)));

  const containers = [...new Set(scoped.map((s) => s.location.bucket))].sort();
  const [container] = containers;
  if (container === undefined || containers.length > 1) {
    throw new LakegateError(
      'INVALID_ARGUMENT',
      `One Azure SAS covers one container; these locations span ${containers.map((c) => `'${c}'`).join(', ')} in account '${account.accountName}'. Request each container separately.`,
      { details: { containers } },
    );
  }

  const outer = scoped.filter((s) => !scoped.some((o) => o !== s && locationCovers(o.location, s.location)));
  if (!account.hierarchicalNamespace) {
    const partial = outer.find((s) => s.location.prefix !== '');
    if (partial) {
      throw new LakegateError(
        'FAILED_PRECONDITION',
        `Storage account '${account.accountName}' has no hierarchical namespace, so a SAS there can only cover a whole container or one blob; ` +
          `the grant covers only '${container}/${partial.location.prefix}'. lakegate never vends wider than the grant: grant the whole container, ` +
          'or use an account with a hierarchical namespace (ADLS Gen2).',
        { details: { accountName: account.accountName, container, prefix: partial.location.prefix, hierarchicalNamespace: false } },
      );
    }
  }

  const [scope] = outer;
  if (scope === undefined || outer.length > 1) {
    throw new LakegateError(
      'INVALID_ARGUMENT',
      `One Azure SAS covers one directory; ${outer.map((o) => `'${o.location.url}'`).join(' and ')} are disjoint. Request them separately.`,
      { details: { locations: outer.map((o) => o.location.url) } },
    );
  }
  const innerWrite = scoped.find((s) => s.write && !scope.write);
  if (innerWrite) {
    throw new LakegateError(
      'INVALID_ARGUMENT',
      `Write access to '${innerWrite.location.url}' inside read-only '${scope.location.url}' cannot be expressed by one SAS without widening it. Request them separately.`,
    );
  }
  const access = scope.write ? 'write' : 'read';
  const { prefix, segments } = scope.location;
  return {
    accountName: account.accountName,
    accountHost,
    container,
    resource: prefix === '' ? 'c' : 'd',
    directory: prefix,
    directoryDepth: segments.length,
    access,
    permissions: SAS_PERMISSIONS[access],
  };
}

/**
 * When a SAS minted now for `durationSeconds` expires: never after the key that signs it, and on a
 * whole second (a SAS carries `se` to the second), so the returned value is exactly the token's expiry.
 */
export function sasExpiry(nowMs: number, durationSeconds: number, keyExpiresOnMs: number): number {
  return Math.floor(Math.min(nowMs + durationSeconds * 1000, keyExpiresOnMs) / 1000) * 1000;
}

function parseLocation(input: StorageLocation, accountName: string, accountHost: string): ScopedLocation {
  if (input.access !== 'read' && input.access !== 'write') {
    throw new LakegateError('INVALID_ARGUMENT', `Unknown access '${String(input.access)}' for '${input.url}'; expected read or write.`);
  }
  const location = normaliseLocation(input.url);
  if (location.scheme !== 'abfss') {
    throw new LakegateError('INVALID_ARGUMENT', `The Azure minter only scopes abfss locations; got '${location.url}'.`);
  }
  if (location.accountHost !== accountHost) {
    throw new LakegateError(
      'FAILED_PRECONDITION',
      `Location '${location.url}' is not in storage account '${accountName}', the account of its storage credential.`,
      { details: { accountName, location: location.url } },
    );
  }
  return { location, write: input.access === 'write' };
}

/** One entry per URL (write wins over read). */
function distinct(locations: readonly ScopedLocation[]): ScopedLocation[] {
  const byUrl = new Map<string, ScopedLocation>();
  for (const l of locations) {
    const seen = byUrl.get(l.location.url);
    if (!seen || (l.write && !seen.write)) byUrl.set(l.location.url, l);
  }
  return [...byUrl.values()];
}
