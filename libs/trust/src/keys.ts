import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';

/** A symmetric key with its id (the id names the key in messages so keys can rotate). */
export interface SymmetricKey {
  readonly kid: string;
  readonly key: Buffer;
}

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
}

export interface VerifyKey {
  readonly kid: string;
  readonly publicKey: KeyObject;
}

const kidOf = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

/** Reads a 32-byte (or longer) key written as hex. */
export async function readSymmetricKey(path: string): Promise<SymmetricKey> {
  const hex = (await readFile(path, 'utf8')).trim();
  if (!/^[0-9a-f]{64,}$/i.test(hex)) throw new Error(`${path} must hold at least 32 bytes as hex`);
  const key = Buffer.from(hex, 'hex');
  return { kid: kidOf(key), key };
}

export async function readSigningKey(path: string): Promise<SigningKey> {
  const privateKey = createPrivateKey(await readFile(path, 'utf8'));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${path} is not an Ed25519 private key`);
  return { kid: verifyKeyFrom(createPublicKey(privateKey)).kid, privateKey };
}

export async function readVerifyKey(path: string): Promise<VerifyKey> {
  const publicKey = createPublicKey(await readFile(path, 'utf8'));
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error(`${path} is not an Ed25519 public key`);
  return verifyKeyFrom(publicKey);
}

export function verifyKeyFrom(publicKey: KeyObject): VerifyKey {
  return { kid: kidOf(publicKey.export({ format: 'der', type: 'spki' })), publicKey };
}

/** The key files a deployment needs, in one directory. */
export const KEY_FILES = {
  assertionAuthz: 'assertion-authz.key',
  assertionCatalog: 'assertion-catalog.key',
  assertionAudit: 'assertion-audit.key',
  auditHmac: 'audit-hmac.key',
  accessKeySeal: 'access-key-seal.key',
  orderSigning: 'order-signing.key',
  orderVerify: 'order-signing.pub',
} as const;

const exists = (p: string) => access(p).then(() => true, () => false);

/** Creates whichever key files are missing (mode 0600); existing keys are kept. */
export async function ensureKeyFiles(dir: string): Promise<Record<keyof typeof KEY_FILES, string>> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const paths = Object.fromEntries(Object.entries(KEY_FILES).map(([k, f]) => [k, join(dir, f)])) as Record<keyof typeof KEY_FILES, string>;
  const write = async (path: string, content: string) => {
    await writeFile(path, content, { mode: 0o600, flag: 'wx' });
    await chmod(path, 0o600);
  };
  for (const k of ['assertionAuthz', 'assertionCatalog', 'assertionAudit', 'auditHmac', 'accessKeySeal'] as const) {
    if (!(await exists(paths[k]))) await write(paths[k], `${randomBytes(32).toString('hex')}\n`);
  }
  if (!(await exists(paths.orderSigning))) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await write(paths.orderSigning, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    await writeFile(paths.orderVerify, publicKey.export({ format: 'pem', type: 'spki' }).toString(), { mode: 0o644 });
  }
  return paths;
}
