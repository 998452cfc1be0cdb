import { Type, type Static } from '@sinclair/typebox';
import { AuditContext, Faces } from './vend.schema.js';
import { CloudName, StorageLocation } from './common.schema.js';

/** A storage credential as a minter needs it: which identity to assume, never a secret. */
export const StorageCredentialRef = Type.Object(
  {
    name: Type.String(),
    /** Catalog revision, so caches drop entries when the credential changes. */
    revision: Type.Integer({ minimum: 0 }),
    aws: Type.Optional(Type.Object({ roleArn: Type.String(), externalId: Type.Optional(Type.String()) }, { additionalProperties: false })),
    /** An Entra ID application (service principal) or managed identity with a storage role on the account. */
    azure: Type.Optional(
      Type.Object(
        {
          tenantId: Type.String(),
          clientId: Type.String(),
          /** Storage account name (`<name>.blob|dfs.core.windows.net`). */
          accountName: Type.String(),
          /** True for ADLS Gen2 (hierarchical namespace): directory SAS is possible. */
          hierarchicalNamespace: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
    ),
    /** A service account that the GCP minter's source identity impersonates before downscoping. */
    gcp: Type.Optional(Type.Object({ serviceAccountEmail: Type.String() }, { additionalProperties: false })),
  },
  { $id: 'StorageCredentialRef', additionalProperties: false },
);
export type StorageCredentialRef = Static<typeof StorageCredentialRef>;

/** What authz orders a minter to issue. Signed; bound to one request, one reply subject and a short life. */
export const MintOrder = Type.Object(
  {
    v: Type.Literal(1),
    orderId: Type.String(),
    requestId: Type.String(),
    /** The caller's reply subject; the minter answers there and nowhere else. */
    replyTo: Type.String(),
    issuedAt: Type.Integer(),
    expiresAt: Type.Integer(),
    cloud: CloudName,
    face: Faces,
    operation: Type.String(),
    principal: Type.String(),
    locations: Type.Array(StorageLocation, { minItems: 1 }),
    storageCredential: StorageCredentialRef,
    durationSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
    /** The parts of the audit record that authz knows and the minter completes. */
    audit: Type.Object(
      {
        userIdentity: Type.Record(Type.String(), Type.Unknown()),
        sourceIPAddress: Type.Optional(Type.String()),
        userAgent: Type.Optional(Type.String()),
        requestParameters: Type.Record(Type.String(), Type.Unknown()),
        auditContext: Type.Optional(AuditContext),
        resources: Type.Array(Type.Object({ type: Type.String(), name: Type.String() })),
      },
      { additionalProperties: false },
    ),
  },
  { $id: 'MintOrder', additionalProperties: false },
);
export type MintOrder = Static<typeof MintOrder>;

export const SignedMintOrder = Type.Object(
  {
    order: MintOrder,
    alg: Type.Literal('Ed25519'),
    kid: Type.String(),
    sig: Type.String({ description: 'base64url signature over canonicalJson(order)' }),
  },
  { $id: 'SignedMintOrder', additionalProperties: false },
);
export type SignedMintOrder = Static<typeof SignedMintOrder>;
