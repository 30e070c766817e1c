import { brand, M2MError } from '../errors.js'

/** RFC 6750 error codes, plus `unauthorized` (no credentials) and the two server-side outcomes. */
export type AuthErrorCode =
  | 'unauthorized'
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'temporarily_unavailable'
  | 'server_error'

/** The attributes an `AuthError` is built from. */
export interface AuthErrorInit {
  code: AuthErrorCode
  status: 400 | 401 | 403 | 500 | 503
  /** Human-readable, safe to send to the client (never contains the token). */
  description: string
  /** Seconds the client should wait before retrying (503 only). */
  retryAfterSeconds?: number
  /** The scopes that were required (403 only). */
  requiredScopes?: readonly string[]
  cause?: unknown
}

/**
 * An authentication outcome that becomes an HTTP answer. Adapters render it with `toErrorResponse()`.
 *
 * @example
 * ```ts
 * try { await verifier.authenticate(header) } catch (e) {
 *   if (e instanceof AuthError) return toErrorResponse(e, { realm: 'api' })
 * }
 * ```
 */
export class AuthError extends M2MError {
  static {
    brand(AuthError, 'AuthError')
  }

  declare readonly code: AuthErrorCode
  readonly status: AuthErrorInit['status']
  readonly description: string
  readonly retryAfterSeconds: number | undefined
  readonly requiredScopes: readonly string[] | undefined

  constructor(init: AuthErrorInit) {
    super(init.code, init.description, init.cause === undefined ? undefined : { cause: init.cause })
    this.status = init.status
    this.description = init.description
    this.retryAfterSeconds = init.retryAfterSeconds
    this.requiredScopes = init.requiredScopes
  }

  /**
   * The `WWW-Authenticate` challenge for this error (RFC 6750 section 3), or `undefined` for the
   * server-side outcomes (503, 500), which are not the client's fault.
   */
  challenge(realm: string): string | undefined {
    if (this.status === 500 || this.status === 503) return undefined
    let value = `Bearer realm="${quote(realm)}"`
    if (this.code === 'unauthorized') return value
    value += `, error="${this.code}", error_description="${quote(this.description)}"`
    if (this.requiredScopes && this.requiredScopes.length > 0) {
      value += `, scope="${quote(this.requiredScopes.join(' '))}"`
    }
    return value
  }
}

/** RFC 6750 quoted-string content: no `"` or `\`, printable ASCII only. */
function quote(value: string): string {
  return value.replace(/[^\x20-\x7e]|["\\]/g, '')
}

/** No credentials at all: 401 with a bare challenge (RFC 6750 section 3.1). */
export class MissingTokenError extends AuthError {
  static {
    brand(MissingTokenError, 'MissingTokenError')
  }

  constructor(description = 'Authentication required') {
    super({ code: 'unauthorized', status: 401, description })
  }
}

/** Malformed Authorization header, empty or oversized token: 400. */
export class InvalidRequestError extends AuthError {
  static {
    brand(InvalidRequestError, 'InvalidRequestError')
  }

  constructor(description: string) {
    super({ code: 'invalid_request', status: 400, description })
  }
}

/** Unknown, expired or revoked token, wrong token type, or not scoped to this machine: 401. */
export class InvalidTokenError extends AuthError {
  static {
    brand(InvalidTokenError, 'InvalidTokenError')
  }

  constructor(description = 'The access token is invalid', cause?: unknown) {
    super({ code: 'invalid_token', status: 401, description, cause })
  }
}

/** A valid token that lacks a required scope, or that an `authorize` hook refused: 403. */
export class InsufficientScopeError extends AuthError {
  static {
    brand(InsufficientScopeError, 'InsufficientScopeError')
  }

  constructor(requiredScopes: readonly string[], description = 'The token lacks a required scope') {
    super({ code: 'insufficient_scope', status: 403, description, requiredScopes })
  }
}

/** The token service is down, slow, rate limiting or failing: 503 with `Retry-After`. Never a 401. */
export class TokenServiceUnavailableError extends AuthError {
  static {
    brand(TokenServiceUnavailableError, 'TokenServiceUnavailableError')
  }

  constructor(
    retryAfterSeconds = 1,
    cause?: unknown,
    description = 'The token service is temporarily unavailable',
  ) {
    super({ code: 'temporarily_unavailable', status: 503, description, retryAfterSeconds, cause })
  }
}

/** Our own secret key was rejected by the token service (a deployment mistake): 500. */
export class ServerConfigError extends AuthError {
  static {
    brand(ServerConfigError, 'ServerConfigError')
  }

  constructor(description = 'The server is misconfigured', cause?: unknown) {
    super({ code: 'server_error', status: 500, description, cause })
  }
}
