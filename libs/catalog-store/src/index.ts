export * from './catalog-kv.js';
export * from './catalog-seed.js';
