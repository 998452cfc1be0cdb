export * from './config.js';
export * from './common.settings.js';
