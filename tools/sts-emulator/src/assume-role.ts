import { randomBytes, randomInt } from 'node:crypto';
import type { StsFault } from './sigv4-verifier.js';

/** What the emulator knows about one role; a role without `externalId` needs none. */
export interface EmulatedRole {
  readonly externalId?: string;
  /** The role's MaxSessionDuration in seconds; IAM's default is 3600. */
  readonly maxSessionDuration?: number;
}

/** The AssumeRole parameters as STS reads them from the form body. */
export interface AssumeRoleParams {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly durationSeconds: number;
  readonly policy?: string;
  readonly externalId?: string;
  readonly sourceIdentity?: string;
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  readonly policyArns: readonly string[];
}

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  readonly assumedRoleId: string;
  readonly assumedRoleArn: string;
  readonly packedPolicySize: number;
}

export const STS_VERSION = '2011-06-15';
const STS_NAME = /^[\w+=,.@-]*$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]*$/;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const ROLE_ARN = /^arn:([\w-]+):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const POLICY_MAX_CHARS = 2048;
const DEFAULT_ROLE_MAX_SESSION = 3600;

const validation = (message: string): StsFault => ({ status: 400, code: 'ValidationError', message: `1 validation error detected: ${message}` });
const constraint = (value: string | undefined, member: string, rule: string): StsFault =>
  validation(`Value ${value === undefined ? 'null' : `'${value}'`} at '${member}' failed to satisfy constraint: ${rule}`);

const required = (member: string): StsFault => constraint(undefined, member, 'Member must not be null');

function length(value: string | undefined, member: string, min: number, max: number, pattern?: RegExp): StsFault | undefined {
  if (value === undefined) return undefined;
  if (value.length < min) return constraint(value, member, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) return constraint(value, member, `Member must have length less than or equal to ${max}`);
  if (pattern && !pattern.test(value)) return constraint(value, member, `Member must satisfy regular expression pattern: ${pattern.source}`);
  return undefined;
}

/** Reads `Tags.member.N.Key/Value` and `PolicyArns.member.N.arn` lists, in member order. */
function members(params: URLSearchParams, list: string): Map<number, Record<string, string>> {
  const out = new Map<number, Record<string, string>>();
  const re = new RegExp(`^${list}\\.member\\.(\\d+)\\.(\\w+)$`);
  for (const [k, v] of params) {
    const [, index, field] = re.exec(k) ?? [];
    if (index === undefined || field === undefined) continue;
    const n = Number(index);
    out.set(n, { ...out.get(n), [field]: v });
  }
  return new Map([...out].sort(([a], [b]) => a - b));
}

/** Parses and validates AssumeRole parameters as STS does, without looking at the role. */
export function parseAssumeRole(params: URLSearchParams): AssumeRoleParams | StsFault {
  const get = (k: string) => params.get(k) ?? undefined;
  const roleArn = get('RoleArn');
  const roleSessionName = get('RoleSessionName');
  const policy = get('Policy');
  const externalId = get('ExternalId');
  const sourceIdentity = get('SourceIdentity');
  if (roleArn === undefined) return required('roleArn');
  if (roleSessionName === undefined) return required('roleSessionName');
  const fault =
    length(roleArn, 'roleArn', 20, 2048) ??
    length(roleSessionName, 'roleSessionName', 2, 64, STS_NAME) ??
    length(policy, 'policy', 1, POLICY_MAX_CHARS) ??
    length(externalId, 'externalId', 2, 1224, EXTERNAL_ID) ??
    length(sourceIdentity, 'sourceIdentity', 2, 64, STS_NAME);
  if (fault) return fault;
  if (!ROLE_ARN.test(roleArn)) return { status: 400, code: 'ValidationError', message: `${roleArn} is invalid` };

  const rawDuration = get('DurationSeconds');
  const durationSeconds = rawDuration === undefined ? DEFAULT_ROLE_MAX_SESSION : Number(rawDuration);
  if (!Number.isInteger(durationSeconds)) return { status: 400, code: 'ValidationError', message: `DurationSeconds '${rawDuration}' is not an integer` };
  if (durationSeconds < 900) return constraint(String(durationSeconds), 'durationSeconds', 'Member must have value greater than or equal to 900');
  if (durationSeconds > 43200) return constraint(String(durationSeconds), 'durationSeconds', 'Member must have value less than or equal to 43200');

  if (policy !== undefined) {
    let doc: unknown;
    try {
      doc = JSON.parse(policy);
    } catch {
      return { status: 400, code: 'MalformedPolicyDocument', message: 'Syntax errors in policy.' };
    }
    const d = doc as { Version?: unknown; Statement?: unknown } | null;
    if (typeof d !== 'object' || d === null || Array.isArray(d) || d.Statement === undefined) {
      return { status: 400, code: 'MalformedPolicyDocument', message: 'Policy document must contain a Statement.' };
    }
  }

  const tags: { key: string; value: string }[] = [];
  for (const [, m] of members(params, 'Tags')) {
    const key = m['Key'];
    const value = m['Value'] ?? '';
    if (key === undefined) return required('tags.member.key');
    const f = length(key, 'tags.member.key', 1, 128, TAG_CHARS) ?? length(value, 'tags.member.value', 0, 256, TAG_CHARS);
    if (f) return f;
    if (key.toLowerCase().startsWith('aws:')) return { status: 400, code: 'InvalidParameterValue', message: 'Tag keys cannot start with aws:' };
    if (tags.some((t) => t.key.toLowerCase() === key.toLowerCase())) return { status: 400, code: 'InvalidParameterValue', message: `Duplicate tag key '${key}'` };
    tags.push({ key, value });
  }
  if (tags.length > 50) return constraint(undefined, 'tags', 'Member must have length less than or equal to 50');
  const policyArns = [...members(params, 'PolicyArns').values()].map((m) => m['arn'] ?? '');
  if (policyArns.length > 10) return constraint(undefined, 'policyArns', 'Member must have length less than or equal to 10');

  return {
    roleArn,
    roleSessionName,
    durationSeconds,
    tags,
    policyArns,
    ...(policy === undefined ? {} : { policy }),
    ...(externalId === undefined ? {} : { externalId }),
    ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
  };
}

/**
 * An approximation of STS's PackedPolicySize (percent of the allowed packed size): STS compresses the
 * policy and tags into a binary form; this counts the minified policy's and the tags' characters
 * against 2048. Real STS usually reports less; the emulator only needs a monotone, bounded measure.
 */
export function packedPolicyPercent(p: AssumeRoleParams): number {
  const policyChars = p.policy === undefined ? 0 : JSON.stringify(JSON.parse(p.policy)).length;
  const tagChars = p.tags.reduce((n, t) => n + t.key.length + t.value.length, 0);
  return Math.ceil((100 * (policyChars + tagChars)) / POLICY_MAX_CHARS);
}

/**
 * Decides the call as the role's trust policy would and issues credentials. `roles` undefined means
 * every role trusts the caller and allows up to 43200 s; a known role's limit defaults to 3600 s.
 */
export function assumeRole(p: AssumeRoleParams, roles: Readonly<Record<string, EmulatedRole>> | undefined, callerArn: string, now: Date): IssuedCredentials | StsFault {
  const denied: StsFault = { status: 403, code: 'AccessDenied', message: `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${p.roleArn}` };
  const role = roles === undefined ? {} : Object.hasOwn(roles, p.roleArn) ? roles[p.roleArn] : undefined;
  if (role === undefined) return denied;
  if (role.externalId !== undefined && role.externalId !== p.externalId) return denied;
  const maxSession = roles === undefined ? 43200 : (role.maxSessionDuration ?? DEFAULT_ROLE_MAX_SESSION);
  if (p.durationSeconds > maxSession) {
    return { status: 400, code: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' };
  }
  const packedPolicySize = packedPolicyPercent(p);
  if (packedPolicySize > 100) {
    return { status: 400, code: 'PackedPolicyTooLarge', message: `Packed policy consumes ${packedPolicySize}% of allotted space, please use smaller policy.` };
  }
  const [, partition = 'aws', account = '', roleName = ''] = ROLE_ARN.exec(p.roleArn) ?? [];
  return {
    accessKeyId: `ASIA${randomId(16)}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(120).toString('base64'),
    expiration: new Date(now.getTime() + p.durationSeconds * 1000),
    assumedRoleId: `AROA${randomId(17)}:${p.roleSessionName}`,
    assumedRoleArn: `arn:${partition}:sts::${account}:assumed-role/${roleName}/${p.roleSessionName}`,
    packedPolicySize,
  };
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const randomId = (n: number): string => Array.from({ length: n }, () => ID_ALPHABET.charAt(randomInt(ID_ALPHABET.length))).join('');

export const isFault = (value: unknown): value is StsFault =>
  typeof value === 'object' && value !== null && 'code' in value && 'status' in value && 'message' in value;

const XML_ENTITIES: Readonly<Record<string, string>> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' };
const escapeXml = (s: string): string => s.replace(/[<>&'"]/g, (c) => XML_ENTITIES[c] ?? c);

export function assumeRoleResponseXml(c: IssuedCredentials, sourceIdentity: string | undefined, requestId: string): string {
  return (
    `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/${STS_VERSION}/"><AssumeRoleResult>` +
    `<Credentials><AccessKeyId>${c.accessKeyId}</AccessKeyId><SecretAccessKey>${escapeXml(c.secretAccessKey)}</SecretAccessKey>` +
    `<SessionToken>${escapeXml(c.sessionToken)}</SessionToken><Expiration>${c.expiration.toISOString()}</Expiration></Credentials>` +
    `<AssumedRoleUser><AssumedRoleId>${escapeXml(c.assumedRoleId)}</AssumedRoleId><Arn>${escapeXml(c.assumedRoleArn)}</Arn></AssumedRoleUser>` +
    `<PackedPolicySize>${c.packedPolicySize}</PackedPolicySize>` +
    (sourceIdentity === undefined ? '' : `<SourceIdentity>${escapeXml(sourceIdentity)}</SourceIdentity>`) +
    `</AssumeRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`
  );
}

export function errorResponseXml(f: StsFault, requestId: string): string {
  return (
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/${STS_VERSION}/"><Error><Type>${f.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
    `<Code>${escapeXml(f.code)}</Code><Message>${escapeXml(f.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
