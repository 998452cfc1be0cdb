/** Every NATS subject, stream, bucket and queue name lakegate uses. Nothing outside contracts spells one. */
export const CLOUDS = ['aws', 'azure', 'gcp'] as const;
export type Cloud = (typeof CLOUDS)[number];

export const SERVICE_NAMES = {
  authz: 'lakegate-authz',
  catalog: 'lakegate-catalog',
  audit: 'lakegate-audit',
  minterAws: 'lakegate-minter-aws',
  minterAzure: 'lakegate-minter-azure',
  minterGcp: 'lakegate-minter-gcp',
} as const;
export type ServiceName = (typeof SERVICE_NAMES)[keyof typeof SERVICE_NAMES];

export const minterServiceName = (cloud: Cloud): ServiceName =>
  ({ aws: SERVICE_NAMES.minterAws, azure: SERVICE_NAMES.minterAzure, gcp: SERVICE_NAMES.minterGcp })[cloud];

export const SUBJECTS = {
  /** Canonical vend requests from the edge or internal services (request-reply). */
  vend: 'lakegate.v1.vend',
  /** Signed mint orders from authz to the minter of one cloud. */
  mint: (cloud: Cloud) => `lakegate.v1.mint.${cloud}`,
  /** Audit records, one subject per writing stage; captured by the audit stream. */
  auditRecord: (stage: AuditStage) => `lakegate.v1.audit.record.${stage}`,
  auditRecordAll: 'lakegate.v1.audit.record.>',
  /** CloudTrail LookupEvents-shaped queries answered by the audit service. */
  auditLookup: 'lakegate.v1.audit.query.lookup-events',
  /** Catalog reads answered by the catalog service. */
  catalogGetVolume: 'lakegate.v1.catalog.volume.get',
  catalogGetTable: 'lakegate.v1.catalog.table.get',
  /** Catalog administration (UC admin API, principals, tokens), answered by the catalog service. */
  catalogAdmin: 'lakegate.v1.catalog.admin',
  /** Benchmark baseline only: the edge's echo route sends here and a bench responder answers. */
  benchEcho: 'lakegate.v1.bench.echo',
  /** Every catalog change is also published as an event here. */
  catalogEvent: (kind: string) => `lakegate.v1.catalog.event.${kind}`,
} as const;

export const AUDIT_STAGES = ['edge', 'authz', 'minter', 'catalog'] as const;
export type AuditStage = (typeof AUDIT_STAGES)[number];

export const STREAMS = {
  audit: 'LAKEGATE_AUDIT',
} as const;

export const CONSUMERS = {
  auditIndexer: 'audit-indexer',
} as const;

export const BUCKETS = {
  catalog: 'lakegate_catalog',
} as const;

/** Queue group every replica of a service joins, so replicas share the work. */
export const QUEUE_GROUP = 'lakegate';
