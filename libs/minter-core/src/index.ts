export * from './minter.port.js';
export * from './credential-cache.js';
export * from './duration.js';
export * from './minter.service.js';
export * from './minter.main.js';
export * from './unavailable-minter.js';
