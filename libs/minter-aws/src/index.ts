export * from './aws-minter.config.js';
export * from './session-policy.js';
export * from './role-session-name.js';
export * from './aws-minter.adapter.js';
