import type { OAuthFault } from './jwt-bearer-grant.js';

/** Security Token Service `POST /v1/token` with a Credential Access Boundary: request checks. */

export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
/** The API's limit on rules in one Credential Access Boundary. */
export const MAX_ACCESS_BOUNDARY_RULES = 10;

export interface AvailabilityCondition {
  readonly expression: string;
  readonly title?: string;
  readonly description?: string;
}

export interface AccessBoundaryRule {
  readonly availableResource: string;
  readonly availablePermissions: readonly string[];
  readonly availabilityCondition?: AvailabilityCondition;
}

/** `options.accessBoundary` of the token-exchange request. */
export interface AccessBoundary {
  readonly accessBoundaryRules: readonly AccessBoundaryRule[];
}

export interface TokenExchangeRequest {
  readonly subjectToken: string;
  readonly accessBoundary: AccessBoundary;
}

const BUCKET_RESOURCE = /^\/\/storage\.googleapis\.com\/projects\/_\/buckets\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
const ROLE_PERMISSION = /^inRole:roles\/[A-Za-z0-9_.]+$/;

const invalidRequest = (description: string): OAuthFault => ({ status: 400, error: 'invalid_request', description });

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const unknownKeys = (value: Record<string, unknown>, known: readonly string[]) => Object.keys(value).filter((k) => !known.includes(k));

/** Parses `options` JSON; the boundary as received, or the first reason STS would refuse it. */
export function parseAccessBoundary(optionsJson: string): AccessBoundary | OAuthFault {
  let options: unknown;
  try {
    options = JSON.parse(optionsJson);
  } catch {
    return invalidRequest('The options parameter is not valid JSON.');
  }
  if (!isRecord(options) || !isRecord(options['accessBoundary'])) return invalidRequest('options.accessBoundary is required.');
  const rules = options['accessBoundary']['accessBoundaryRules'];
  if (!Array.isArray(rules) || rules.length === 0) return invalidRequest('The access boundary must contain at least one rule.');
  if (rules.length > MAX_ACCESS_BOUNDARY_RULES) {
    return invalidRequest(`The access boundary has ${rules.length} rules; at most ${MAX_ACCESS_BOUNDARY_RULES} are allowed.`);
  }
  for (const [i, rule] of rules.entries()) {
    if (!isRecord(rule)) return invalidRequest(`accessBoundaryRules[${i}] is not an object.`);
    const extra = unknownKeys(rule, ['availableResource', 'availablePermissions', 'availabilityCondition']);
    if (extra.length > 0) return invalidRequest(`accessBoundaryRules[${i}] has unknown fields: ${extra.join(', ')}.`);
    const { availableResource, availablePermissions, availabilityCondition } = rule;
    if (typeof availableResource !== 'string' || !BUCKET_RESOURCE.test(availableResource)) {
      return invalidRequest(`accessBoundaryRules[${i}].availableResource must be //storage.googleapis.com/projects/_/buckets/<bucket>.`);
    }
    if (!Array.isArray(availablePermissions) || availablePermissions.length === 0) {
      return invalidRequest(`accessBoundaryRules[${i}].availablePermissions must not be empty.`);
    }
    if (!availablePermissions.every((p) => typeof p === 'string' && ROLE_PERMISSION.test(p))) {
      return invalidRequest(`accessBoundaryRules[${i}].availablePermissions must be inRole:roles/<role> values.`);
    }
    if (availabilityCondition !== undefined) {
      if (!isRecord(availabilityCondition)) return invalidRequest(`accessBoundaryRules[${i}].availabilityCondition is not an object.`);
      const extraCondition = unknownKeys(availabilityCondition, ['expression', 'title', 'description']);
      if (extraCondition.length > 0) return invalidRequest(`accessBoundaryRules[${i}].availabilityCondition has unknown fields: ${extraCondition.join(', ')}.`);
      const { expression, title, description } = availabilityCondition;
      if (typeof expression !== 'string' || expression.trim() === '') return invalidRequest(`accessBoundaryRules[${i}].availabilityCondition.expression must not be empty.`);
      if ((title !== undefined && typeof title !== 'string') || (description !== undefined && typeof description !== 'string')) {
        return invalidRequest(`accessBoundaryRules[${i}].availabilityCondition title and description must be strings.`);
      }
    }
  }
  return options['accessBoundary'] as unknown as AccessBoundary;
}

/** Checks the RFC 8693 form fields a downscoping exchange needs. */
export function parseTokenExchange(form: URLSearchParams): TokenExchangeRequest | OAuthFault {
  const grantType = form.get('grant_type');
  if (grantType !== TOKEN_EXCHANGE_GRANT_TYPE) {
    return { status: 400, error: 'unsupported_grant_type', description: `Unsupported grant type: ${grantType ?? '(none)'}.` };
  }
  if (form.get('subject_token_type') !== ACCESS_TOKEN_TYPE) return invalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}.`);
  if (form.get('requested_token_type') !== ACCESS_TOKEN_TYPE) return invalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TYPE}.`);
  const subjectToken = form.get('subject_token');
  if (!subjectToken) return invalidRequest('subject_token is required.');
  const options = form.get('options');
  if (options === null) return invalidRequest('options with an access boundary is required to downscope a token.');
  const accessBoundary = parseAccessBoundary(options);
  if ('error' in accessBoundary) return accessBoundary;
  return { subjectToken, accessBoundary };
}
