export * from './catalog-kv.js';
