import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throw-away TLS identity for loopback HTTPS emulators (Azurite, the Entra ID authority). */
export interface SelfSignedTls {
  /** PEM certificate; pass it as the trusted CA to clients (`tlsOptions.ca`). */
  readonly cert: string;
  /** PEM private key (unencrypted). */
  readonly key: string;
  /** The same, as files, for processes that take paths (`azurite-blob --cert --key`). */
  readonly certPath: string;
  readonly keyPath: string;
  /** The temporary directory holding both files. */
  readonly dir: string;
  /** Removes the files. */
  dispose(): Promise<void>;
}

/**
 * Creates a self-signed P-256 certificate for `127.0.0.1` and `localhost`, valid for two days, with
 * the system `openssl` (node:crypto can parse certificates but not issue them). The certificate is
 * its own CA: trust exactly this certificate, never disable verification.
 */
export async function createSelfSignedTls(options: { commonName?: string } = {}): Promise<SelfSignedTls> {
  const dir = await mkdtemp(join(tmpdir(), 'lakegate-tls-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  try {
    await run('openssl', [
      'req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-keyout', keyPath, '-out', certPath, '-days', '2',
      '-subj', `/CN=${options.commonName ?? 'lakegate-emulator'}`,
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`openssl could not create a self-signed certificate: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { cert, key, certPath, keyPath, dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}
