import { randomUUID } from 'node:crypto';
import { AUDIT_EVENT_SOURCE, AUDIT_EVENT_VERSION } from '@lakegate/contracts';
import type { AuditRecord, AuditStage, StorageLocation, VendedCredential } from '@lakegate/contracts';
import type { AuditRedactor } from './redaction.js';

export const AUDIT_EVENT_TYPE = 'AwsApiCall';

/**
 * The only members `responseElements` may carry: identifiers and expiry of what was issued,
 * never the secret parts of a credential.
 */
export const RESPONSE_ELEMENTS_ALLOW_LIST = [
  'accessKeyId',
  'expiration',
  'expiresAt',
  'credentialType',
  'vendedLocations',
  'locations',
  'url',
] as const;

const RESPONSE_ELEMENTS_ALLOWED: ReadonlySet<string> = new Set(RESPONSE_ELEMENTS_ALLOW_LIST);

/** Who made the call, as the audit record names them. Never holds a secret. */
export interface AuditUserIdentity {
  /** e.g. `LakegateUser`, `ServiceToken`, `Anonymous`. */
  type: string;
  principalId?: string;
  userName?: string;
  /** The access key or token id that authenticated the caller. */
  accessKeyId?: string;
  authMethod?: string;
}

export interface AuditRecordInput {
  /** The stage that ended the request and so writes its one record. */
  stage: AuditStage;
  /** The API operation, e.g. `GetTemporaryGlueTableCredentials`. */
  eventName: string;
  requestId: string;
  /** Defaults to a random UUID v4. */
  eventId?: string;
  /** Defaults to now. */
  eventTime?: Date;
  region: string;
  userIdentity: AuditUserIdentity;
  sourceIPAddress?: string;
  userAgent?: string;
  /** The request as received; secrets are replaced with their HMAC. */
  requestParameters?: Record<string, unknown> | null;
  /** Reduced to `RESPONSE_ELEMENTS_ALLOW_LIST`, then redacted. */
  responseElements?: Record<string, unknown> | null;
  /** Audit context, query session context, vended paths, cache hit, upstream request id; redacted. */
  additionalEventData?: Record<string, unknown>;
  error?: { code: string; message: string };
  readOnly: boolean;
  resources?: { type: string; name: string }[];
}

/**
 * Builds the one CloudTrail-like record of an API call. Everything the caller controls passes
 * through the redactor, so the record holds no secret and stays bounded in size.
 */
export function buildAuditRecord(input: AuditRecordInput, redactor: AuditRedactor): AuditRecord {
  const eventTime = input.eventTime ?? new Date();
  if (Number.isNaN(eventTime.getTime())) throw new RangeError('buildAuditRecord: eventTime is not a valid date');
  const text = (value: string): string => redactor.redactString(value);

  const record: AuditRecord = {
    eventVersion: AUDIT_EVENT_VERSION,
    userIdentity: userIdentityOf(input.userIdentity, text),
    eventTime: eventTime.toISOString(),
    eventSource: AUDIT_EVENT_SOURCE,
    eventName: input.eventName,
    region: input.region,
    requestParameters: input.requestParameters ? redactor.redactParameters(input.requestParameters) : null,
    responseElements: input.responseElements ? redactor.redactParameters(allowListed(input.responseElements)) : null,
    additionalEventData: input.additionalEventData ? redactor.redactParameters(input.additionalEventData) : {},
    requestID: input.requestId,
    eventID: input.eventId ?? randomUUID(),
    readOnly: input.readOnly,
    resources: (input.resources ?? []).map((r) => ({ type: r.type, name: text(r.name) })),
    eventType: AUDIT_EVENT_TYPE,
    stage: input.stage,
  };
  if (input.sourceIPAddress !== undefined) record.sourceIPAddress = text(input.sourceIPAddress);
  if (input.userAgent !== undefined) record.userAgent = text(input.userAgent);
  if (input.error) {
    record.errorCode = input.error.code;
    record.errorMessage = text(input.error.message);
  }
  return record;
}

/**
 * The response elements of an issued credential: its cloud, the AWS access key id when there is
 * one, its expiry and what it reaches. Nothing else of the credential is read.
 */
export function responseElementsForCredential(
  cred: VendedCredential,
  locations: readonly StorageLocation[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { credentialType: cred.cloud };
  if (cred.aws) out['accessKeyId'] = cred.aws.accessKeyId;
  out['expiration'] = new Date(cred.expiresAt).toISOString();
  out['locations'] = locations.map((l) => ({ url: l.url, access: l.access }));
  return out;
}

function allowListed(elements: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(elements)) {
    if (RESPONSE_ELEMENTS_ALLOWED.has(key)) out[key] = value;
  }
  return out;
}

function userIdentityOf(identity: AuditUserIdentity, text: (value: string) => string): Record<string, unknown> {
  const out: Record<string, unknown> = { type: text(identity.type) };
  for (const key of ['principalId', 'userName', 'accessKeyId', 'authMethod'] as const) {
    const value = identity[key];
    if (value !== undefined) out[key] = text(value);
  }
  return out;
}
