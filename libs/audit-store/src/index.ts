export * from './audit-store.port.js';
export * from './sqlite-audit-store.adapter.js';
export * from './lookup-query.js';
export * from './record-index.js';
