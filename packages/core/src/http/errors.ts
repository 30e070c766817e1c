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
  /** The protection space named in the challenge of {@link AuthError.headers}. @default 'api' */
  realm?: string
  cause?: unknown
}

/**
 * An authentication outcome that becomes an HTTP answer. Adapters render it with `toErrorResponse()`.
 * It also speaks the convention of `http-errors`, which Express's default handler and many others
 * follow: `status`/`statusCode`, `headers` (`WWW-Authenticate` naming {@link AuthError.realm},
 * `Retry-After`, `Cache-Control: no-store`) and `expose` (the description is safe to show), so an
 * error handler that knows nothing about this library still sends the right answer.
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
  /** The protection space of the challenge in {@link AuthError.headers}; see `withRealm()`. */
  readonly realm: string

  constructor(init: AuthErrorInit) {
    super(init.code, init.description, init.cause === undefined ? undefined : { cause: init.cause })
    this.status = init.status
    this.description = init.description
    this.retryAfterSeconds = init.retryAfterSeconds
    this.requiredScopes = init.requiredScopes
    this.realm = init.realm ?? 'api'
  }

  /** Same as `status`, for handlers that read `statusCode` (Fastify, `http-errors`). */
  get statusCode(): AuthErrorInit['status'] {
    return this.status
  }

  /** Whether the message may be shown to the client: true for 4xx, as `http-errors` does. */
  get expose(): boolean {
    return this.status < 500
  }

  /**
   * The headers of the answer: `Cache-Control: no-store`, the `WWW-Authenticate` challenge (4xx)
   * naming `realm`, and `Retry-After` (503). Lower-case names; no content type (the body is the
   * error handler's).
   */
  get headers(): Record<string, string> {
    return errorHeaders(this, this.realm)
  }

  /**
   * This error with another realm (a copy of the same class; `this` when the realm is the same).
   * Errors can be shared between requests (one verification serving several), so a realm is never
   * written into an existing error.
   */
  withRealm(realm: string): this {
    if (realm === this.realm) return this
    const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this)) as this
    Object.defineProperty(copy, 'realm', { value: realm, enumerable: true })
    // Newer V8 (Node 24) keeps `stack` in an accessor bound to the original object: copy its value.
    Object.defineProperty(copy, 'stack', { value: this.stack, writable: true, configurable: true })
    return copy
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

/**
 * The headers of an error answer: `Cache-Control: no-store`, `WWW-Authenticate` for 4xx and
 * `Retry-After` (whole seconds, at least 1) when the error has one.
 *
 * @example
 * ```ts
 * errorHeaders(new TokenServiceUnavailableError(3), 'api') // { 'cache-control': 'no-store', 'retry-after': '3' }
 * ```
 */
export function errorHeaders(error: AuthError, realm: string): Record<string, string> {
  const headers: Record<string, string> = { 'cache-control': 'no-store' }
  const challenge = error.challenge(realm)
  if (challenge !== undefined) headers['www-authenticate'] = challenge
  if (error.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)))
  }
  return headers
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
