import { readFile } from 'node:fs/promises';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@lakegate/telemetry';

export type { NatsConnection } from '@nats-io/transport-node';

export interface NatsSettings {
  /** One or more URLs, comma-separated; user:password in the URL is honoured. */
  servers: string;
  /** Connection name shown in server monitoring. */
  name: string;
  credsFile?: string | undefined;
}

/** Connects with unlimited reconnects and logs every connection status change. */
export async function connectNats(settings: NatsSettings, logger: Logger): Promise<NatsConnection> {
  const authenticator = settings.credsFile ? credsAuthenticator(await readFile(settings.credsFile)) : undefined;
  const nc = await connect({
    servers: settings.servers.split(',').map((s) => s.trim()),
    name: settings.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 10_000,
    ...(authenticator ? { authenticator } : {}),
  });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'ping') continue;
      const level = status.type === 'disconnect' || status.type === 'error' ? 'warn' : 'info';
      logger[level]({ nats: status.type }, `nats ${status.type}`);
    }
  })();
  logger.info({ server: nc.info?.server_name }, 'connected to NATS');
  return nc;
}
