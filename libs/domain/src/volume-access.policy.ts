import type { Access, Cloud, StorageCredentialRef, StorageLocation, VolumeInfo } from '@lakegate/contracts';
import { LakegateError } from '@lakegate/contracts';
import type { CatalogState } from './catalog-state.js';
import { holdsPrivilege, principalsOf, PRIVILEGES, type Privilege, type SecurableRef } from './privileges.js';
import { locationCovers, normaliseLocation } from './storage-url.js';

/** The exact scope a credential may reach, and the identity that mints it. */
export interface StorageScope {
  cloud: Cloud;
  locations: StorageLocation[];
  storageCredential: StorageCredentialRef;
}

export type Decision =
  | { allow: true; scope: StorageScope; resources: { type: string; name: string }[] }
  | { allow: false; error: LakegateError };

const deny = (code: 'NOT_FOUND' | 'PERMISSION_DENIED' | 'FAILED_PRECONDITION', message: string, details?: Record<string, unknown>): Decision => ({
  allow: false,
  error: new LakegateError(code, message, details ? { details } : undefined),
});

/**
 * Decides a volume credential request. Read needs READ VOLUME; write needs READ VOLUME and
 * WRITE VOLUME (a write credential can read). Privileges are inherited catalog → schema → volume
 * and through group membership; the volume owner holds both. The scope is the volume's own
 * location, never wider.
 */
export function decideVolumeAccess(state: CatalogState, input: { principal: string; volumeId: string; access: Access }): Decision {
  const volume = state.volumes.get(input.volumeId)?.value;
  if (!volume) return deny('NOT_FOUND', `Volume '${input.volumeId}' does not exist.`, { resourceType: 'volume' });

  const identities = principalsOf(state, input.principal);
  const chain: SecurableRef[] = [
    { type: 'volume', name: volume.full_name },
    { type: 'schema', name: `${volume.catalog_name}.${volume.schema_name}` },
    { type: 'catalog', name: volume.catalog_name },
  ];
  const owns = identities.has(volume.owner);
  const needed: Privilege[] = input.access === 'write' ? [PRIVILEGES.readVolume, PRIVILEGES.writeVolume] : [PRIVILEGES.readVolume];
  const missing = owns ? [] : needed.filter((p) => !holdsPrivilege(state, identities, p, chain));
  if (missing.length > 0) {
    return deny(
      'PERMISSION_DENIED',
      `User '${input.principal}' does not have ${missing.join(' and ')} on volume '${volume.full_name}'.`,
      { missingPrivileges: missing, securable: { type: 'volume', full_name: volume.full_name } },
    );
  }

  const resolved = resolveStorageCredential(state, volume);
  if ('error' in resolved) return { allow: false, error: resolved.error };
  return {
    allow: true,
    scope: { cloud: resolved.cloud, locations: [{ url: resolved.url, access: input.access }], storageCredential: resolved.credential },
    resources: [{ type: 'volume', name: volume.full_name }],
  };
}

/** The storage credential of the most specific external location that covers the volume. */
function resolveStorageCredential(state: CatalogState, volume: VolumeInfo): { cloud: Cloud; url: string; credential: StorageCredentialRef } | { error: LakegateError } {
  let target;
  try {
    target = normaliseLocation(volume.storage_location);
  } catch (error) {
    return { error: new LakegateError('FAILED_PRECONDITION', `Volume '${volume.full_name}' has an invalid storage location.`, { cause: error }) };
  }
  let best: { segments: number; credentialName: string } | undefined;
  for (const { value: location } of state.locations.values()) {
    let parent;
    try {
      parent = normaliseLocation(location.url);
    } catch {
      continue;
    }
    if (locationCovers(parent, target) && (!best || parent.segments.length > best.segments)) {
      best = { segments: parent.segments.length, credentialName: location.credential_name };
    }
  }
  if (!best) {
    return { error: new LakegateError('FAILED_PRECONDITION', `No external location covers '${target.url}' of volume '${volume.full_name}'.`) };
  }
  const credential = state.credentials.get(best.credentialName);
  if (!credential) {
    return { error: new LakegateError('FAILED_PRECONDITION', `Storage credential '${best.credentialName}' does not exist.`) };
  }
  const role = credential.value.aws_iam_role;
  if (!role || target.scheme !== 's3') {
    return { error: new LakegateError('FAILED_PRECONDITION', `Storage credential '${best.credentialName}' cannot reach '${target.url}'.`) };
  }
  return {
    cloud: 'aws',
    url: target.url,
    credential: { name: credential.value.name, revision: credential.revision, aws: { roleArn: role.role_arn, ...(role.external_id ? { externalId: role.external_id } : {}) } },
  };
}
