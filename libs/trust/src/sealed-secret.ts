import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SymmetricKey } from './keys.js';

/**
 * Seals a secret with AES-256-GCM for storage (e.g. the secret of an access key lakegate issued, which
 * SigV4 verification needs in clear). The associated data binds the ciphertext to its record, so a
 * sealed secret cannot be moved to another key id. Format: `v1.<kid>.<iv>.<tag>.<ciphertext>` (base64url).
 */
export function sealSecret(key: SymmetricKey, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key.subarray(0, 32), iv);
  cipher.setAAD(Buffer.from(associatedData));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', key.kid, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

/** Opens a sealed secret; undefined when the key is unknown or the data was altered. */
export function openSecret(keys: readonly SymmetricKey[], sealed: string, associatedData: string): string | undefined {
  const [version, kid, iv, tag, ct] = sealed.split('.');
  const key = keys.find((k) => k.kid === kid);
  if (version !== 'v1' || !key || !iv || !tag || ct === undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key.subarray(0, 32), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
