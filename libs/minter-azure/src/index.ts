export * from './azure-minter.config.js';
export * from './sas-scope.js';
export * from './delegation-key-cache.js';
export * from './azure-minter.adapter.js';
