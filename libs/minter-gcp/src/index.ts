export * from './gcp-minter.config.js';
export * from './credential-access-boundary.js';
export * from './gcp-minter.adapter.js';
