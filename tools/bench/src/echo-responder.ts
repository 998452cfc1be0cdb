#!/usr/bin/env node
/**
 * The far end of the echo baseline: answers every request on the bench echo subject with its own
 * payload. A process of its own, so its work neither competes with the load generator's event
 * loop nor hides from the CPU count. Prints `ready` once subscribed; stops on SIGTERM/SIGINT.
 */
import { SUBJECTS } from '@lakegate/contracts';
import { connect } from '@nats-io/transport-node';

const servers = process.argv[2];
if (!servers) {
  process.stderr.write('usage: echo-responder <nats-url>\n');
  process.exit(2);
}
const nc = await connect({ servers, name: 'lakegate-bench-echo' });
nc.subscribe(SUBJECTS.benchEcho, { callback: (_error, msg) => void msg.respond(msg.data) });
await nc.flush();
process.stdout.write('ready\n');
const stop = () => void nc.drain().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
