export * from './storage-url.js';
export * from './catalog-state.js';
export * from './privileges.js';
export * from './storage-resolution.js';
export * from './uc-access.policy.js';
export * from './token-auth.js';
export * from './sharing-access.policy.js';
export * from './lf-access.policy.js';
