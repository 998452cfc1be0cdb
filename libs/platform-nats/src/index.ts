export * from './connection.js';
export * from './trace-headers.js';
export * from './request.js';
export * from './service.js';
export * from './jetstream.js';
export { Kvm, type KV, type KvEntry } from '@nats-io/kv';
export { headers, createInbox, type Msg, type MsgHdrs, type Subscription } from '@nats-io/nats-core';
export type { ServiceMsg, Service } from '@nats-io/services';
export * from './lifecycle.js';
