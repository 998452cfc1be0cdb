export * from './redaction.js';
export * from './audit-record.builder.js';
export * from './audit-publisher.js';
