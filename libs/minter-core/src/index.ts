export * from './minter.port.js';
export * from './credential-cache.js';
export * from './duration.js';
export * from './minter.service.js';
