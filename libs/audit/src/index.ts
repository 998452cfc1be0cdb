export * from './redaction.js';
export * from './audit-record.builder.js';
