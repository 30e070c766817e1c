export { M2MConfigError, M2MError } from './errors.js'
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
export type { ClerkErrorItem, Clock, FetchLike, M2MToken, VerifiedM2MToken } from './types.js'
