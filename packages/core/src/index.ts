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
export { API_URL_ENV_VAR, type EnvLike, resolveVerifierOptions, SECRET_KEY_ENV_VARS } from './config.js'
export { M2MConfigError, M2MError } from './errors.js'
export { authorizationFromRawHeaders, MAX_TOKEN_LENGTH, parseBearer } from './http/bearer.js'
export {
  AuthError,
  type AuthErrorCode,
  type AuthErrorInit,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
  ServerConfigError,
  TokenServiceUnavailableError,
} from './http/errors.js'
export { type ErrorResponse, type ErrorResponseOptions, toErrorResponse } from './http/response.js'
export { createLibraryLog, type LibraryLog, type Logger, OUTAGE_LOG_INTERVAL_MS } from './logger.js'
export type { ClerkErrorItem, Clock, FetchLike, M2MToken, VerifiedM2MToken } from './types.js'
export type { CachedEntry, CacheStore } from './verify/cache.js'
export { classifyToken, type TokenFormat } from './verify/classify.js'
export type { VerifierEvent, VerifierEventListener, VerifierEventType } from './verify/events.js'
export {
  NOT_CACHED,
  type NotCached,
  type PreparedRule,
  prepareRule,
  type SyncAuthResult,
} from './verify/hit.js'
export type { VerifierCacheOptions, VerifierJwtOptions, VerifierOptions } from './verify/options.js'
export { checkScopes } from './verify/scopes.js'
export {
  type AuthenticateOptions,
  createVerifier,
  type Verifier,
  type VerifierStats,
} from './verify/verifier.js'
