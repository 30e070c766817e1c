export type {
  TokenSourceEvent,
  TokenSourceEventListener,
  TokenSourceEventType,
  TokenSourceRefreshReason,
} from './caller/events.js'
export { createM2MFetch, type M2MFetchOptions } from './caller/fetch.js'
export { CREATE_BACKOFF_INITIAL_MS, CREATE_BACKOFF_MAX_MS, M2MKeyRejectedError } from './caller/held.js'
export type { TokenSourceOptions } from './caller/options.js'
export { createOriginMatcher, type OriginMatcher } from './caller/origins.js'
export {
  createTokenSource,
  type GetTokenOptions,
  type TokenSource,
  type TokenSourceStats,
} from './caller/token-source.js'
export { createM2MClient } from './client/client.js'
export { M2MApiError, type M2MApiErrorInit, M2MNetworkError, M2MValidationError } from './client/errors.js'
export { DEFAULT_API_URL, DEFAULT_API_VERSION, DEFAULT_TIMEOUT_MS } from './client/options.js'
export { DEFAULT_RETRY, type RetryOptions, type RetryPolicy } from './client/retry.js'
export type {
  CreateTokenParams,
  ListTokensParams,
  M2MCallOptions,
  M2MClient,
  M2MClientOptions,
  PathStyle,
  RevokeTokenParams,
  Sleep,
  VerifyTokenParams,
} from './client/types.js'
export { MACHINE_ID_PATTERN, TOKEN_ID_PATTERN } from './client/validate.js'
export type { M2MTokenList } from './client/wire.js'
export {
  API_URL_ENV_VAR,
  type EnvLike,
  MACHINE_ID_ENV_VAR,
  MACHINE_SECRET_KEY_ENV_VAR,
  resolveTokenSourceOptions,
  resolveVerifierOptions,
  SECRET_KEY_ENV_VARS,
} from './config.js'
export { M2MConfigError, M2MError } from './errors.js'
export type { BreakerOptions } from './guard/breaker.js'
export type { BudgetOptions } from './guard/budget.js'
export {
  authorizationFromRawHeaders,
  authorizationOf,
  MAX_TOKEN_LENGTH,
  type ParsedHeadersLike,
  parseBearer,
} from './http/bearer.js'
export {
  AuthError,
  type AuthErrorCode,
  type AuthErrorInit,
  errorHeaders,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
  ServerConfigError,
  TokenServiceUnavailableError,
} from './http/errors.js'
export { type ErrorResponse, type ErrorResponseOptions, toErrorResponse } from './http/response.js'
export { createLibraryLog, type LibraryLog, type Logger, OUTAGE_LOG_INTERVAL_MS } from './logger.js'
export {
  type AdapterOptions,
  type ResolvedAdapterOptions,
  resolveAdapterOptions,
} from './options/adapter.js'
export { checkKnownKeys } from './options/check.js'
export {
  ADAPTER_OPTION_KEYS,
  ADAPTER_OWN_OPTION_KEYS,
  BREAKER_OPTION_KEYS,
  BUDGET_OPTION_KEYS,
  CACHE_OPTION_KEYS,
  CLIENT_OPTION_KEYS,
  JWT_OPTION_KEYS,
  M2M_FETCH_OPTION_KEYS,
  M2M_INTERCEPTOR_OPTION_KEYS,
  REDIS_STORE_OPTION_KEYS,
  RETRY_OPTION_KEYS,
  RULE_OPTION_KEYS,
  TOKEN_SOURCE_OPTION_KEYS,
  VERIFIER_OPTION_KEYS,
  WORKERS_STORE_OPTION_KEYS,
} from './options/keys.js'
export { suggestKey } from './options/suggest.js'
export type { ClerkErrorItem, Clock, FetchLike, M2MClaims, M2MToken, VerifiedM2MToken } from './types.js'
export {
  type AuthorizeHook,
  type AuthRule,
  type AuthRuleOptions,
  applyAuthRule,
  createAuthRule,
} from './verify/authorize.js'
export type { CachedEntry, CacheStore, SealedEntry, StoreListener } from './verify/cache.js'
export { classifyToken, type TokenFormat } from './verify/classify.js'
export type { VerifierEvent, VerifierEventListener, VerifierEventType } from './verify/events.js'
export {
  NOT_CACHED,
  type NotCached,
  type SyncAuthResult,
} from './verify/hit.js'
export type {
  VerifierCacheOptions,
  VerifierJwtOptions,
  VerifierOptions,
  WaitUntil,
} from './verify/options.js'
export { checkScopes } from './verify/scopes.js'
export {
  type AuthenticateOptions,
  createVerifier,
  type Verifier,
  type VerifierStats,
} from './verify/verifier.js'
