export * from './minter-conformance.js';
