import { CODECS, LakegateError } from '@lakegate/contracts';
import type { CatalogView } from '@lakegate/catalog-store';
import { holdsPrivilege, principalsOf, PRIVILEGES, type CatalogState, type Privilege } from '@lakegate/domain';
import type { ServiceMsg } from '@lakegate/platform-nats';
import { verifyAssertion, type SymmetricKey } from '@lakegate/trust';

interface Deps {
  view: CatalogView;
  assertionKeys: readonly SymmetricKey[];
  admins: ReadonlySet<string>;
  clock: () => number;
}

interface CatalogObject {
  full_name: string;
  catalog_name: string;
  schema_name: string;
  owner: string;
}

const PRIVILEGES_THAT_SHOW = {
  volume: [PRIVILEGES.readVolume, PRIVILEGES.writeVolume, PRIVILEGES.browse, PRIVILEGES.allPrivileges],
  table: [PRIVILEGES.select, PRIVILEGES.modify, PRIVILEGES.browse, PRIVILEGES.alter, PRIVILEGES.allPrivileges],
} satisfies Record<string, Privilege[]>;

/** Visible to metastore admins, owners (of the object or a parent), and principals holding a privilege on it. */
function checkVisible(state: CatalogState, deps: Deps, principal: string, type: 'volume' | 'table', object: CatalogObject): void {
  const identities = principalsOf(state, principal);
  const schemaFull = `${object.catalog_name}.${object.schema_name}`;
  const chain = [
    { type, name: object.full_name },
    { type: 'schema' as const, name: schemaFull },
    { type: 'catalog' as const, name: object.catalog_name },
  ];
  const owners = [object.owner, state.schemas.get(schemaFull)?.value.owner, state.catalogs.get(object.catalog_name)?.value.owner];
  const visible =
    deps.admins.has(principal) || owners.some((o) => o !== undefined && identities.has(o)) || PRIVILEGES_THAT_SHOW[type].some((p) => holdsPrivilege(state, identities, p, chain));
  if (!visible) throw new LakegateError('PERMISSION_DENIED', `User '${principal}' does not have any privilege on ${type} '${object.full_name}'.`);
}

/** `GET volumes/{full_name}`. */
export function getVolumeHandler(deps: Deps) {
  return async (msg: ServiceMsg): Promise<Uint8Array> => {
    const request = CODECS.getVolumeRequest.decode(msg.data);
    const { principal } = verifyAssertion(deps.assertionKeys, request, deps.clock());
    const state = deps.view.state;
    const id = state.volumeIdsByName.get(request.fullName);
    const volume = id ? state.volumes.get(id)?.value : undefined;
    if (!volume) throw new LakegateError('NOT_FOUND', `Volume '${request.fullName}' does not exist.`);
    checkVisible(state, deps, principal, 'volume', volume);
    const metastoreId = state.metastore?.value.metastore_id;
    return CODECS.getVolumeReply.encode({ ok: true, result: metastoreId ? { ...volume, metastore_id: metastoreId } : volume });
  };
}

/** `GET tables/{full_name}`. */
export function getTableHandler(deps: Deps) {
  return async (msg: ServiceMsg): Promise<Uint8Array> => {
    const request = CODECS.getTableRequest.decode(msg.data);
    const { principal } = verifyAssertion(deps.assertionKeys, request, deps.clock());
    const state = deps.view.state;
    const id = state.tableIdsByName.get(request.fullName);
    const table = id ? state.tables.get(id)?.value : undefined;
    if (!table) throw new LakegateError('NOT_FOUND', `Table '${request.fullName}' does not exist.`);
    checkVisible(state, deps, principal, 'table', table);
    const metastoreId = state.metastore?.value.metastore_id;
    return CODECS.getTableReply.encode({ ok: true, result: metastoreId ? { ...table, metastore_id: metastoreId } : table });
  };
}
