import {
  AccessKeyRecord,
  CATALOG_KEY_KINDS,
  CatalogInfo,
  DataCellsFilterInfo,
  ExternalLocation,
  GrantList,
  MetastoreSettings,
  PartitionInfo,
  Principal,
  SchemaInfo,
  ShareInfo,
  StorageCredential,
  TableInfo,
  TokenRecord,
  VolumeInfo,
  codec,
  type CatalogKeyKind,
  type SecurableType,
} from '@lakegate/contracts';
import { emptyLocationIndex, indexLocation, LOCATION_KEYS, unindexLocation, type LocationIndex } from './location-index.js';

/** A catalog value with the KV revision it was read at (the version for optimistic concurrency). */
export interface Versioned<T> {
  readonly value: T;
  readonly revision: number;
}

/** The in-memory view of the catalog that authz and the edge keep, fed by the KV watch. */
export interface CatalogState {
  metastore: Versioned<MetastoreSettings> | undefined;
  readonly principals: Map<string, Versioned<Principal>>;
  readonly tokens: Map<string, Versioned<TokenRecord>>;
  readonly accessKeys: Map<string, Versioned<AccessKeyRecord>>;
  readonly credentials: Map<string, Versioned<StorageCredential>>;
  readonly locations: Map<string, Versioned<ExternalLocation>>;
  readonly catalogs: Map<string, Versioned<CatalogInfo>>;
  readonly schemas: Map<string, Versioned<SchemaInfo>>;
  readonly volumes: Map<string, Versioned<VolumeInfo>>;
  readonly volumeIdsByName: Map<string, string>;
  readonly tables: Map<string, Versioned<TableInfo>>;
  readonly tableIdsByName: Map<string, string>;
  /** Keyed by lower-case name: share names are case-insensitive. */
  readonly shares: Map<string, Versioned<ShareInfo>>;
  readonly grants: Map<string, Versioned<GrantList>>;
  /** Table id → partition values (as their JSON array) → partition. */
  readonly partitions: Map<string, Map<string, Versioned<PartitionInfo>>>;
  /** Table full name → filter name → data cells filter. */
  readonly cellsFilters: Map<string, Map<string, Versioned<DataCellsFilterInfo>>>;
  /** Where tables (and their auxiliary locations), volumes and partitions live: overlap checks without a scan. */
  readonly locationIndex: LocationIndex;
}

export const emptyCatalogState = (): CatalogState => ({
  metastore: undefined,
  principals: new Map(),
  tokens: new Map(),
  accessKeys: new Map(),
  credentials: new Map(),
  locations: new Map(),
  catalogs: new Map(),
  schemas: new Map(),
  volumes: new Map(),
  volumeIdsByName: new Map(),
  tables: new Map(),
  tableIdsByName: new Map(),
  shares: new Map(),
  grants: new Map(),
  partitions: new Map(),
  cellsFilters: new Map(),
  locationIndex: emptyLocationIndex(),
});

/** The key of a partition within its table: its values as a JSON array. */
export const partitionValuesKey = (values: readonly string[]) => JSON.stringify(values);

export const grantKey = (type: SecurableType, name: string) => `${type}:${name}`;

const CODECS = {
  metastore: codec(MetastoreSettings),
  principal: codec(Principal),
  token: codec(TokenRecord),
  accesskey: codec(AccessKeyRecord),
  credential: codec(StorageCredential),
  location: codec(ExternalLocation),
  catalog: codec(CatalogInfo),
  schema: codec(SchemaInfo),
  volume: codec(VolumeInfo),
  table: codec(TableInfo),
  share: codec(ShareInfo),
  grants: codec(GrantList),
  partition: codec(PartitionInfo),
  cellsfilter: codec(DataCellsFilterInfo),
} satisfies Record<CatalogKeyKind, unknown>;

export const kindOfKey = (key: string): CatalogKeyKind | undefined => {
  const kind = key.split('.', 1)[0];
  return (CATALOG_KEY_KINDS as readonly string[]).includes(kind ?? '') ? (kind as CatalogKeyKind) : undefined;
};

const fromHex = (hex: string) => Buffer.from(hex, 'hex').toString('utf8');

/**
 * Applies one KV entry (a put, or a delete when `value` is undefined) to the state.
 * Returns false when the key or value is not understood; the state is then unchanged.
 */
export function applyCatalogEntry(state: CatalogState, key: string, value: Uint8Array | undefined, revision: number): boolean {
  const kind = kindOfKey(key);
  if (!kind) return false;
  const id = key.slice(kind.length + 1);
  if (value === undefined) {
    removeEntry(state, kind, id);
    return true;
  }
  let decoded: unknown;
  try {
    decoded = CODECS[kind].decode(value);
  } catch {
    return false;
  }
  const put = <T>(map: Map<string, Versioned<T>>, k: string) => map.set(k, { value: decoded as T, revision });
  switch (kind) {
    case 'metastore':
      state.metastore = { value: decoded as MetastoreSettings, revision };
      break;
    case 'principal':
      put(state.principals, (decoded as Principal).name);
      break;
    case 'token':
      put(state.tokens, id);
      break;
    case 'accesskey':
      put(state.accessKeys, id);
      break;
    case 'credential':
      put(state.credentials, (decoded as StorageCredential).name);
      break;
    case 'location':
      put(state.locations, (decoded as ExternalLocation).name);
      break;
    case 'catalog':
      put(state.catalogs, (decoded as CatalogInfo).name);
      break;
    case 'schema':
      put(state.schemas, (decoded as SchemaInfo).full_name);
      break;
    case 'volume': {
      const volume = decoded as VolumeInfo;
      putNamed(state.volumes, state.volumeIdsByName, volume.volume_id, { value: volume, revision });
      indexLocation(state.locationIndex, LOCATION_KEYS.volume(volume.volume_id), volume.storage_location, `volume '${volume.full_name}'`);
      break;
    }
    case 'table': {
      const table = decoded as TableInfo;
      unindexTable(state, table.table_id);
      putNamed(state.tables, state.tableIdsByName, table.table_id, { value: table, revision });
      indexLocation(state.locationIndex, LOCATION_KEYS.table(table.table_id), table.storage_location, `table '${table.full_name}'`);
      (table.auxiliary_locations ?? []).forEach((aux, i) => indexLocation(state.locationIndex, LOCATION_KEYS.auxiliary(table.table_id, i), aux, `table '${table.full_name}'`));
      break;
    }
    case 'share':
      put(state.shares, (decoded as ShareInfo).name.toLowerCase());
      break;
    case 'grants': {
      const grants = decoded as GrantList;
      put(state.grants, grantKey(grants.securable_type, grants.securable_name));
      break;
    }
    case 'partition': {
      const partition = decoded as PartitionInfo;
      putNested(state.partitions, partition.table_id, partitionValuesKey(partition.values), { value: partition, revision });
      indexLocation(
        state.locationIndex,
        LOCATION_KEYS.partition(partition.table_id, partitionValuesKey(partition.values)),
        partition.storage_location,
        `partition [${partition.values.join(', ')}] of table '${partition.table_full_name}'`,
      );
      break;
    }
    case 'cellsfilter': {
      const filter = decoded as DataCellsFilterInfo;
      putNested(state.cellsFilters, filter.table_full_name, filter.name, { value: filter, revision });
      break;
    }
  }
  return true;
}

function removeEntry(state: CatalogState, kind: CatalogKeyKind, hexId: string): void {
  switch (kind) {
    case 'metastore':
      state.metastore = undefined;
      return;
    case 'token':
      state.tokens.delete(hexId);
      return;
    case 'accesskey':
      state.accessKeys.delete(hexId);
      return;
    case 'volume':
      removeNamed(state.volumes, state.volumeIdsByName, fromHex(hexId));
      unindexLocation(state.locationIndex, LOCATION_KEYS.volume(fromHex(hexId)));
      return;
    case 'table':
      unindexTable(state, fromHex(hexId));
      removeNamed(state.tables, state.tableIdsByName, fromHex(hexId));
      return;
    case 'grants': {
      const [type, hex] = hexId.split('.', 2);
      state.grants.delete(grantKey(type as SecurableType, fromHex(hex ?? '')));
      return;
    }
    case 'partition':
    case 'cellsfilter': {
      const [outer, inner] = hexId.split('.', 2).map(fromHex);
      if (kind === 'partition') unindexLocation(state.locationIndex, LOCATION_KEYS.partition(outer ?? '', inner ?? ''));
      const maps = kind === 'partition' ? state.partitions : state.cellsFilters;
      const nested = maps.get(outer ?? '');
      nested?.delete(inner ?? '');
      if (nested?.size === 0) maps.delete(outer ?? '');
      return;
    }
    default: {
      const map = { principal: state.principals, credential: state.credentials, location: state.locations, catalog: state.catalogs, schema: state.schemas, share: state.shares }[kind];
      map.delete(fromHex(hexId));
    }
  }
}

/** Takes a table's locations (its own and its auxiliary ones, as last indexed) out of the index. */
function unindexTable(state: CatalogState, tableId: string): void {
  unindexLocation(state.locationIndex, LOCATION_KEYS.table(tableId));
  const previous = state.tables.get(tableId)?.value.auxiliary_locations ?? [];
  previous.forEach((_, i) => unindexLocation(state.locationIndex, LOCATION_KEYS.auxiliary(tableId, i)));
}

function putNested<T>(maps: Map<string, Map<string, Versioned<T>>>, outer: string, inner: string, entry: Versioned<T>): void {
  let nested = maps.get(outer);
  if (!nested) maps.set(outer, (nested = new Map()));
  nested.set(inner, entry);
}

/** Objects kept by id with a full-name index (volumes, tables): a rename moves the index entry. */
function putNamed<T extends { full_name: string }>(byId: Map<string, Versioned<T>>, idsByName: Map<string, string>, id: string, entry: Versioned<T>): void {
  removeNamed(byId, idsByName, id);
  byId.set(id, entry);
  idsByName.set(entry.value.full_name, id);
}

function removeNamed<T extends { full_name: string }>(byId: Map<string, Versioned<T>>, idsByName: Map<string, string>, id: string): void {
  const previous = byId.get(id);
  if (previous) idsByName.delete(previous.value.full_name);
  byId.delete(id);
}
