import { CODECS, LakegateError } from '@lakegate/contracts';
import type { CatalogView } from '@lakegate/catalog-store';
import { holdsPrivilege, principalsOf, PRIVILEGES, type Privilege } from '@lakegate/domain';
import type { ServiceMsg } from '@lakegate/platform-nats';
import { verifyAssertion, type SymmetricKey } from '@lakegate/trust';

const ANY_VOLUME_PRIVILEGE: Privilege[] = [PRIVILEGES.readVolume, PRIVILEGES.writeVolume, PRIVILEGES.allPrivileges];

/** `GET volumes/{full_name}`: visible to admins, the owner, and principals holding a privilege on it. */
export function getVolumeHandler(deps: { view: CatalogView; assertionKeys: readonly SymmetricKey[]; admins: ReadonlySet<string>; clock: () => number }) {
  return async (msg: ServiceMsg): Promise<Uint8Array> => {
    const request = CODECS.getVolumeRequest.decode(msg.data);
    const { principal } = verifyAssertion(deps.assertionKeys, request, deps.clock());
    const state = deps.view.state;
    const volumeId = state.volumeIdsByName.get(request.fullName);
    const volume = volumeId ? state.volumes.get(volumeId)?.value : undefined;
    if (!volume) throw new LakegateError('NOT_FOUND', `Volume '${request.fullName}' does not exist.`);
    const identities = principalsOf(state, principal);
    const chain = [
      { type: 'volume' as const, name: volume.full_name },
      { type: 'schema' as const, name: `${volume.catalog_name}.${volume.schema_name}` },
      { type: 'catalog' as const, name: volume.catalog_name },
    ];
    const visible =
      deps.admins.has(principal) || identities.has(volume.owner) || ANY_VOLUME_PRIVILEGE.some((p) => holdsPrivilege(state, identities, p, chain));
    if (!visible) throw new LakegateError('PERMISSION_DENIED', `User '${principal}' does not have any privilege on volume '${volume.full_name}'.`);
    const metastoreId = state.metastore?.value.metastore_id;
    return CODECS.getVolumeReply.encode({ ok: true, result: metastoreId ? { ...volume, metastore_id: metastoreId } : volume });
  };
}
