export * from './minter.port.js';
