export * from './catalog-kv.js';
export * from './catalog-seed.js';
export * from './catalog-admin.js';
