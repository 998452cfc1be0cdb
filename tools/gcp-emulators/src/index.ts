export * from './gcp-emulator.js';
export { tokenFingerprint, type IssuedToken, type TokenIssuer } from './issued-tokens.js';
export { GOOGLE_TOKEN_AUDIENCE, JWT_BEARER_GRANT_TYPE, type OAuthFault } from './jwt-bearer-grant.js';
export { DEFAULT_IMPERSONATION_LIFETIME_SECONDS, IAM_CALLER_SCOPES, type GoogleApiFault } from './generate-access-token.js';
export {
  ACCESS_TOKEN_TYPE,
  MAX_ACCESS_BOUNDARY_RULES,
  TOKEN_EXCHANGE_GRANT_TYPE,
  parseAccessBoundary,
  type AccessBoundary,
  type AccessBoundaryRule,
  type AvailabilityCondition,
} from './token-exchange.js';
