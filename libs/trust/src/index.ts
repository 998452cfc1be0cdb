export * from './keys.js';
export * from './identity-assertion.js';
export * from './mint-order.js';
export * from './sealed-secret.js';
export * from './node-sha256.js';
