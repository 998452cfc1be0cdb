import { LakegateError, type Cloud, type StorageCredentialRef } from '@lakegate/contracts';
import type { CatalogState } from './catalog-state.js';
import { locationCovers, normalisedLocation, type StorageUrl } from './storage-url.js';

export interface ResolvedStorage {
  cloud: Cloud;
  credential: StorageCredentialRef;
  /** Name of the external location whose credential is used. */
  externalLocation: string;
}

/**
 * The most specific external location covering `target`, on path-segment boundaries. Looks at every
 * external location (there are few); their normalised forms are remembered (normalisedLocation).
 */
export function coveringExternalLocation(state: CatalogState, target: StorageUrl): { name: string; credentialName: string; url: StorageUrl } | undefined {
  let best: { name: string; credentialName: string; url: StorageUrl } | undefined;
  for (const { value: location } of state.locations.values()) {
    let parent: StorageUrl;
    try {
      parent = normalisedLocation(location.url);
    } catch {
      continue;
    }
    if (locationCovers(parent, target) && (!best || parent.segments.length > best.url.segments.length)) {
      best = { name: location.name, credentialName: location.credential_name, url: parent };
    }
  }
  return best;
}

/**
 * The storage credential that may reach every one of `targets` — all must lie under external
 * locations that use the same credential — turned into the reference a minter needs.
 */
export function resolveStorage(state: CatalogState, targets: readonly StorageUrl[], what: string): ResolvedStorage | LakegateError {
  let resolved: ResolvedStorage | undefined;
  for (const target of targets) {
    const location = coveringExternalLocation(state, target);
    if (!location) return new LakegateError('FAILED_PRECONDITION', `No external location covers '${target.url}' of ${what}.`);
    const credential = state.credentials.get(location.credentialName);
    if (!credential) return new LakegateError('FAILED_PRECONDITION', `Storage credential '${location.credentialName}' of external location '${location.name}' does not exist.`);
    const ref = credentialRef(credential.value, credential.revision, target);
    if (ref instanceof LakegateError) return ref;
    if (resolved && resolved.credential.name !== ref.credential.name) {
      return new LakegateError('FAILED_PRECONDITION', `The locations of ${what} use different storage credentials; one credential cannot reach them all.`);
    }
    // Object literals rather than spreads here and in credentialRef: on this path, a spread into a
    // literal with more properties took ~1.2 µs each on Node 20, a third of a whole decision.
    resolved ??= { cloud: ref.cloud, credential: ref.credential, externalLocation: location.name };
  }
  if (!resolved) return new LakegateError('FAILED_PRECONDITION', `${what} has no storage location.`);
  return resolved;
}

function credentialRef(
  credential: CatalogState['credentials'] extends Map<string, { value: infer V }> ? V : never,
  revision: number,
  target: StorageUrl,
): { cloud: Cloud; credential: StorageCredentialRef } | LakegateError {
  const mismatch = (cloud: string) =>
    new LakegateError('FAILED_PRECONDITION', `Storage credential '${credential.name}' is for ${cloud} and cannot reach '${target.url}'.`);
  if (credential.aws_iam_role) {
    if (target.scheme !== 's3') return mismatch('AWS');
    const role = credential.aws_iam_role;
    const aws = role.external_id ? { roleArn: role.role_arn, externalId: role.external_id } : { roleArn: role.role_arn };
    return { cloud: 'aws', credential: { name: credential.name, revision, aws } };
  }
  if (credential.azure_service_principal) {
    if (target.scheme !== 'abfss' || !target.accountHost) return mismatch('Azure');
    const sp = credential.azure_service_principal;
    return {
      cloud: 'azure',
      credential: {
        name: credential.name,
        revision,
        azure: {
          tenantId: sp.directory_id,
          clientId: sp.application_id,
          accountName: target.accountHost.split('.')[0]!,
          hierarchicalNamespace: sp.hierarchical_namespace ?? true,
        },
      },
    };
  }
  if (credential.gcp_service_account) {
    if (target.scheme !== 'gs') return mismatch('GCP');
    return { cloud: 'gcp', credential: { name: credential.name, revision, gcp: { serviceAccountEmail: credential.gcp_service_account.email } } };
  }
  return new LakegateError('FAILED_PRECONDITION', `Storage credential '${credential.name}' names no cloud identity.`);
}
