#!/usr/bin/env node
/**
 * `npm start`: the embedded default. Starts nats-server (its JetStream store in the data
 * directory), the loopback STS emulator unless a real STS is configured, every lakegate service,
 * loads the demo catalog, waits until /readyz says ready, and prints how to vend a credential.
 * Ctrl-C stops everything it started.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureKeyFiles } from '@lakegate/trust';
import { startProcess, stopProcess, tail, type ManagedProcess } from './processes.js';
import { portIsFree, waitUntil } from './ports.js';

const env = process.env;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const say = (line: string) => process.stdout.write(`${line}\n`);

const SERVICES = ['catalog', 'authz', 'audit', 'minter-aws', 'minter-azure', 'minter-gcp', 'edge'] as const;

/** The identities the demo catalog's Azure and GCP storage credentials name (see demo-catalog.yaml). */
const DEMO_AZURE = { tenantId: '7e4a1f52-6c1d-4a8e-9b0f-2d5c8e1a0b01', clientId: '3b9d2c7e-1f4a-4e6b-8c2d-5a7f9e0b1c02', account: 'lakegatedemo' };
const DEMO_GCP_SOURCE = 'lakegate-minter@lakegate-demo.iam.gserviceaccount.com';

/** Reads the first line a child prints on stdout (the emulators' JSON ready line). */
function firstLine(p: ManagedProcess, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${p.name} printed no ready line within ${timeoutMs} ms; see ${p.logFile}`)), timeoutMs);
    p.child.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>);
      } catch {
        reject(new Error(`${p.name} printed an unexpected first line`));
      }
    });
    void p.exited.then((how) => (clearTimeout(timer), reject(new Error(`${p.name} exited (${how}); see ${p.logFile}`))));
  });
}

function findNatsServer(): string | undefined {
  if (env['NATS_SERVER_BIN'] && existsSync(env['NATS_SERVER_BIN'])) return env['NATS_SERVER_BIN'];
  for (const dir of [...(env['PATH'] ?? '').split(':'), '/usr/sbin', '/usr/local/sbin']) {
    if (dir && existsSync(join(dir, 'nats-server'))) return join(dir, 'nats-server');
  }
  return undefined;
}

/** A token from the environment, or one generated once and kept (mode 0600) in the data directory. */
async function localToken(dataDir: string, variable: string, file: string, prefix: string): Promise<string> {
  if (env[variable]) return env[variable];
  const path = join(dataDir, file);
  if (existsSync(path)) return (await readFile(path, 'utf8')).trim();
  const token = `${prefix}_${randomBytes(24).toString('base64url')}`;
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return token;
}

async function main(): Promise<void> {
  const dataDir = resolve(env['LAKEGATE_DATA_DIR'] ?? join(process.cwd(), '.lakegate'));
  const httpPort = Number(env['LAKEGATE_HTTP_PORT'] ?? 8080);
  const logDir = join(dataDir, 'logs');
  await mkdir(logDir, { recursive: true, mode: 0o700 });
  const keys = await ensureKeyFiles(join(dataDir, 'keys'));
  const token = await localToken(dataDir, 'LAKEGATE_DEMO_TOKEN', 'demo-token', 'lgd');
  const adminToken = await localToken(dataDir, 'LAKEGATE_ADMIN_TOKEN', 'admin-token', 'lga');
  const started: ManagedProcess[] = [];
  let stopping = false;

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const p of [...started].reverse()) await stopProcess(p);
    process.exit(code);
  };
  // Every signal is handled (a terminal's Ctrl-C reaches the whole process group, and impatient users
  // press it twice): the first starts the orderly stop, later ones must not kill the launcher halfway.
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const exitedEarly = () => {
    const dead = started.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
    return dead ? `${dead.name} exited during start-up; see ${dead.logFile}` : undefined;
  };

  try {
    // NATS: our own server unless LAKEGATE_NATS_URL names an existing deployment.
    let natsUrl = env['LAKEGATE_NATS_URL'];
    if (!natsUrl) {
      const bin = findNatsServer();
      if (!bin) throw new Error('nats-server is not installed. On Debian/Ubuntu: sudo apt-get install -y nats-server (or set NATS_SERVER_BIN, or LAKEGATE_NATS_URL to use an existing server)');
      let natsPort = Number(env['LAKEGATE_NATS_PORT'] ?? 4222);
      if (natsPort !== 0 && !(await portIsFree(natsPort))) {
        say(`port ${natsPort} is taken; lakegate's own nats-server takes a free port instead (it never joins a server it did not start)`);
        natsPort = 0;
      }
      const storeDir = join(dataDir, 'nats');
      const portsDir = join(dataDir, 'nats-ports');
      await mkdir(storeDir, { recursive: true });
      await rm(portsDir, { recursive: true, force: true });
      await mkdir(portsDir, { recursive: true });
      // Port 0: the server picks its own free port and writes it to a ports file (no race with other processes).
      const nats = startProcess(
        'nats-server',
        bin,
        ['-a', '127.0.0.1', '-p', natsPort === 0 ? '-1' : String(natsPort), '--ports_file_dir', portsDir, '-js', '-sd', storeDir, '-n', 'lakegate-embedded'],
        env,
        join(logDir, 'nats-server.log'),
      );
      started.push(nats);
      let listening: string | undefined;
      await waitUntil(
        'nats-server',
        async () => {
          const file = (await readdir(portsDir)).find((f) => f.endsWith('.ports'));
          if (!file) return false;
          listening = (JSON.parse(await readFile(join(portsDir, file), 'utf8')) as { nats?: string[] }).nats?.[0];
          return listening !== undefined;
        },
        10_000,
        exitedEarly,
      );
      natsUrl = listening!;
      if (natsPort === 0 && env['LAKEGATE_NATS_PORT'] !== '0') say(`lakegate's nats-server listens on ${natsUrl}`);
    }

    // AWS STS: the loopback emulator unless a real endpoint is configured.
    const awsEnv: Record<string, string> = {};
    let stsUrl: string | undefined;
    const emulators: Record<string, string> = {};
    if (env['AWS_ENDPOINT_URL_STS']) {
      awsEnv['AWS_ENDPOINT_URL_STS'] = env['AWS_ENDPOINT_URL_STS'];
    } else {
      const accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
      const secretAccessKey = randomBytes(30).toString('base64');
      started.push(
        startProcess(
          'sts-emulator',
          process.execPath,
          [
            join(root, 'tools/sts-emulator/dist/main.js'),
            '--port', '0',
            '--access-key-id', accessKeyId,
            '--latency-ms', env['LAKEGATE_STS_EMULATOR_LATENCY_MS'] ?? '0',
          ],
          { ...env, STS_EMULATOR_SECRET_ACCESS_KEY: secretAccessKey },
          join(logDir, 'sts-emulator.log'),
          { captureStdout: true },
        ),
      );
      // The emulator binds a free port itself and says which on its first line.
      stsUrl = String((await firstLine(started.at(-1)!, 10_000))['url']);
      Object.assign(awsEnv, { AWS_ENDPOINT_URL_STS: stsUrl, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: env['AWS_REGION'] ?? 'us-east-1' });
    }

    // Azure: Azurite (OAuth, HTTPS) and a local Entra ID authority, unless identities are configured.
    const azureEnv: Record<string, string> = {};
    if (env['LAKEGATE_AZURE_IDENTITIES_FILE']) {
      azureEnv['LAKEGATE_AZURE_IDENTITIES_FILE'] = env['LAKEGATE_AZURE_IDENTITIES_FILE'];
    } else {
      const dir = join(dataDir, 'azure');
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const clientSecret = randomBytes(24).toString('base64url');
      const azure = startProcess(
        'azure-emulators',
        process.execPath,
        [join(root, 'tools/azure-emulators/dist/main.js'), '--dir', dir, '--tenant-id', DEMO_AZURE.tenantId, '--client-id', DEMO_AZURE.clientId, '--account', DEMO_AZURE.account, '--container', `${DEMO_AZURE.account}/landing`],
        { ...env, AZURE_EMULATOR_CLIENT_SECRET: clientSecret },
        join(logDir, 'azure-emulators.log'),
        { captureStdout: true },
      );
      started.push(azure);
      const ready = await firstLine(azure, 60_000);
      const identitiesFile = join(dir, 'identities.json');
      const identities = [{ kind: 'client-secret', tenantId: DEMO_AZURE.tenantId, clientId: DEMO_AZURE.clientId, clientSecret, authorityHost: ready['authorityUrl'], disableInstanceDiscovery: true }];
      await writeFile(identitiesFile, JSON.stringify(identities), { mode: 0o600 });
      Object.assign(azureEnv, {
        LAKEGATE_AZURE_IDENTITIES_FILE: identitiesFile,
        LAKEGATE_AZURE_BLOB_ENDPOINT: String(ready['blobEndpoint']),
        LAKEGATE_AZURE_CA_FILE: String(ready['caFile']),
        // Azurite 3.35 knows this string-to-sign version, not the SDK's default.
        LAKEGATE_AZURE_SAS_VERSION: '2025-11-05',
      });
      emulators['azureBlobEndpoint'] = String(ready['blobEndpoint']);
      emulators['azureCaFile'] = String(ready['caFile']);
    }

    // GCP: the loopback STS / IAM / OAuth emulator and a generated source key, unless configured.
    const gcpEnv: Record<string, string> = {};
    if (env['LAKEGATE_GCP_ENDPOINT_URL'] || env['LAKEGATE_GCP_SOURCE_KEY_FILE']) {
      for (const k of ['LAKEGATE_GCP_ENDPOINT_URL', 'LAKEGATE_GCP_SOURCE_KEY_FILE', 'LAKEGATE_GCP_IDENTITY']) if (env[k]) gcpEnv[k] = env[k];
    } else {
      const dir = join(dataDir, 'gcp');
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const keyFile = join(dir, 'source-key.json');
      if (!existsSync(keyFile)) {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        const key = {
          type: 'service_account', project_id: 'lakegate-demo', client_email: DEMO_GCP_SOURCE, private_key_id: randomBytes(8).toString('hex'),
          private_key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), token_uri: 'https://oauth2.googleapis.com/token',
        };
        await writeFile(keyFile, JSON.stringify(key), { mode: 0o600 });
      }
      const gcp = startProcess(
        'gcp-emulators',
        process.execPath,
        [join(root, 'tools/gcp-emulators/dist/main.js'), '--port', '0', '--service-account-key', keyFile],
        env,
        join(logDir, 'gcp-emulators.log'),
        { captureStdout: true },
      );
      started.push(gcp);
      const ready = await firstLine(gcp, 30_000);
      Object.assign(gcpEnv, { LAKEGATE_GCP_ENDPOINT_URL: String(ready['url']), LAKEGATE_GCP_SOURCE_KEY_FILE: keyFile });
      emulators['gcpUrl'] = String(ready['url']);
    }

    // Nothing secret in the shared environment: the demo token goes to the catalog only, AWS keys to minter-aws only.
    const { LAKEGATE_DEMO_TOKEN: _t, LAKEGATE_ADMIN_TOKEN: _a, LAKEGATE_ADMIN_SECRET_ACCESS_KEY: _ak, AWS_SECRET_ACCESS_KEY: _s, AWS_SESSION_TOKEN: _st, ...inherited } = env;
    const common: NodeJS.ProcessEnv = {
      ...inherited,
      LAKEGATE_NATS_URL: natsUrl,
      LAKEGATE_LOG_LEVEL: env['LAKEGATE_LOG_LEVEL'] ?? 'info',
      LAKEGATE_AUDIT_HMAC_KEY_FILE: keys.auditHmac,
      LAKEGATE_ADMINS: env['LAKEGATE_ADMINS'] ?? env['LAKEGATE_ADMIN_PRINCIPAL'] ?? 'admin',
    };
    const perService: Record<(typeof SERVICES)[number], NodeJS.ProcessEnv> = {
      catalog: { LAKEGATE_ACCESS_KEY_SEAL_KEY_FILE: keys.accessKeySeal, LAKEGATE_ASSERTION_KEY_CATALOG_FILE: keys.assertionCatalog, LAKEGATE_SEED_FILE: env['LAKEGATE_SEED_FILE'] ?? join(root, 'tools/launcher/demo-catalog.yaml'), LAKEGATE_DEMO_TOKEN: token, LAKEGATE_ADMIN_TOKEN: adminToken, ...(env['LAKEGATE_ADMIN_SECRET_ACCESS_KEY'] ? { LAKEGATE_ADMIN_SECRET_ACCESS_KEY: env['LAKEGATE_ADMIN_SECRET_ACCESS_KEY'] } : {}) },
      authz: { LAKEGATE_ASSERTION_KEY_AUTHZ_FILE: keys.assertionAuthz, LAKEGATE_ORDER_SIGNING_KEY_FILE: keys.orderSigning },
      audit: { LAKEGATE_ASSERTION_KEY_AUDIT_FILE: keys.assertionAudit, LAKEGATE_AUDIT_DB: join(dataDir, 'audit.sqlite') },
      'minter-aws': { LAKEGATE_ORDER_VERIFY_KEY_FILES: keys.orderVerify, ...awsEnv },
      'minter-azure': { LAKEGATE_ORDER_VERIFY_KEY_FILES: keys.orderVerify, ...azureEnv },
      'minter-gcp': { LAKEGATE_ORDER_VERIFY_KEY_FILES: keys.orderVerify, ...gcpEnv },
      edge: {
        LAKEGATE_HTTP_PORT: String(httpPort),
        LAKEGATE_HTTP_ADDRESS_FILE: join(dataDir, 'edge-address'),
        LAKEGATE_ACCESS_KEY_SEAL_KEY_FILE: keys.accessKeySeal,
        LAKEGATE_ASSERTION_KEY_AUTHZ_FILE: keys.assertionAuthz,
        LAKEGATE_ASSERTION_KEY_CATALOG_FILE: keys.assertionCatalog,
        LAKEGATE_ASSERTION_KEY_AUDIT_FILE: keys.assertionAudit,
      },
    };
    if (httpPort !== 0 && !(await portIsFree(httpPort))) throw new Error(`port ${httpPort} is taken: set LAKEGATE_HTTP_PORT to a free port (or 0 for any)`);
    await rm(join(dataDir, 'edge-address'), { force: true });
    for (const service of SERVICES) {
      // LAKEGATE_NODE_ARGS: extra node flags for the services, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile.
      const nodeArgs = (env['LAKEGATE_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
      started.push(startProcess(service, process.execPath, [...nodeArgs, join(root, `apps/${service}/dist/main.js`)], { ...common, ...perService[service] }, join(logDir, `${service}.log`)));
    }

    // The edge writes the address it listens on (port 0 = a free one it picked).
    let url = '';
    await waitUntil(
      'lakegate',
      async () => {
        if (!url) url = existsSync(join(dataDir, 'edge-address')) ? (await readFile(join(dataDir, 'edge-address'), 'utf8')).trim() : '';
        return url !== '' && (await fetch(`${url}/readyz`)).ok;
      },
      60_000,
      exitedEarly,
    );
    // What tools (bench, tests) need to find the running system; no secret in it.
    await writeFile(
      join(dataDir, 'run.json'),
      `${JSON.stringify({ url, natsUrl, stsUrl, ...emulators, pids: Object.fromEntries(started.map((p) => [p.name, p.child.pid])) }, null, 2)}\n`,
      { mode: 0o600 },
    );
    const volume = (await (await fetch(`${url}/api/2.1/unity-catalog/volumes/lakegate_demo.default.landing`, { headers: { authorization: `Bearer ${token}` } })).json()) as { volume_id?: string };
    say('');
    say(`lakegate is ready at ${url}  (data: ${dataDir}, nats: ${natsUrl}, logs: ${logDir})`);
    if (!env['LAKEGATE_DEMO_TOKEN']) say(`demo token (principal "demo"): ${token}`);
    if (!env['LAKEGATE_ADMIN_TOKEN']) say(`admin token (principal "admin", a metastore admin): ${adminToken}`);
    if (volume.volume_id) {
      say('Vend a credential for the demo volume:');
      say(
        `  curl -s -X POST ${url}/api/2.1/unity-catalog/temporary-volume-credentials -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '{"volume_id":"${volume.volume_id}","operation":"READ_VOLUME"}'`,
      );
    }
    say(`AWS faces (Lake Formation at POST /<Operation>, Glue at POST / with X-Amz-Target), signed with an access key lakegate issues:`);
    say(`  curl -s -X POST ${url}/api/v1/principals/demo/access-keys -H 'Authorization: Bearer ${token}'`);
    say(
      `  AWS_ACCESS_KEY_ID=<accessKeyId> AWS_SECRET_ACCESS_KEY=<secretAccessKey> aws lakeformation get-temporary-glue-table-credentials --endpoint-url ${url} --region us-east-1 --table-arn arn:aws:glue:us-east-1:000000000000:table/default/trips`,
    );
    say(`Read the audit log (metastore admins):\n  curl -s -X POST ${url}/api/v1/audit/lookup-events -H 'Authorization: Bearer ${adminToken}' -H 'Content-Type: application/json' -d '{"MaxResults":5}'`);
    say('Press Ctrl-C to stop.');
    for (const p of started) {
      void p.exited.then(async (how) => {
        if (stopping) return;
        say(`${p.name} exited (${how}); stopping everything. Last log lines:\n${await tail(p.logFile)}`);
        await stopAll(1);
      });
    }
  } catch (error) {
    process.stderr.write(`lakegate could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    for (const p of started) {
      const lines = await tail(p.logFile, 10);
      if (lines && (p.child.exitCode !== null || p.child.signalCode !== null)) process.stderr.write(`--- ${p.name} (${p.logFile}) ---\n${lines}\n`);
    }
    await stopAll(1);
  }
}

void main();
