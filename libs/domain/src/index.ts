export * from './storage-url.js';
