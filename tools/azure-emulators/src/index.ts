export * from './entra-authority.js';
export * from './access-token.js';
export * from './self-signed-tls.js';
export * from './azurite.js';
