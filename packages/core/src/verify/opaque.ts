/**
 * Opaque token verification: one `verifyToken` call through the client, then the checks Clerk's
 * answer still needs, then the mapping of every client outcome to an `AuthError` (ARCHITECTURE.md,
 * "Contracts between the core modules"). An outage is a 503, never a 401.
 */

import type { VerifyCall } from '../client/client.js'
import { M2MApiError, M2MNetworkError, M2MValidationError } from '../client/errors.js'
import {
  AuthError,
  InvalidTokenError,
  ServerConfigError,
  TokenServiceUnavailableError,
} from '../http/errors.js'
import type { Clock, M2MToken, VerifiedM2MToken } from '../types.js'

/** What {@link createOpaqueVerifier} needs from the verifier. */
export interface OpaqueVerifierOptions {
  /** The client's verify call (the verifier's own: no re-check of arguments it built itself). */
  verify: VerifyCall
  /** Bound on one verification, retries included (the client bounds each attempt by `timeoutMs`). */
  deadlineMs: number
  now: Clock
}

/** Statuses by which Clerk says "this token does not exist (any more)": definite negatives, safe to cache. */
const INVALID_TOKEN_STATUSES = new Set([404, 410])
/** Statuses by which Clerk says "your secret key is not valid": our deployment is broken. */
const KEY_REJECTED_STATUSES = new Set([401, 403])
/** Statuses whose meaning depends on the error codes: about the token, or about our request. */
const CODED_STATUSES = new Set([400, 422])
/**
 * Clerk's codes for a parameter whose *value* is wrong. On verify the only parameter is `token`,
 * so these, naming `token`, say the token is malformed: a definite "no". Every other code of a 400
 * (`form_param_unknown`, `form_param_missing`, `request_body_invalid`, an API-version complaint, a
 * code we do not know) is about our request: a bug or an incompatibility here, never the caller's
 * fault, and never to be cached as an invalid token.
 */
const TOKEN_VALUE_CODES = new Set(['form_param_format_invalid', 'form_param_value_invalid'])

/**
 * Builds the opaque verifier. The returned function throws only `AuthError`s:
 * `InvalidTokenError` (definite: unknown, revoked, expired, a malformed token), `ServerConfigError`
 * (our key or our request was rejected) or `TokenServiceUnavailableError` (429, 5xx, unreadable
 * answer, network, timeout).
 */
export function createOpaqueVerifier(
  opts: OpaqueVerifierOptions,
): (token: string, retry?: false) => Promise<VerifiedM2MToken> {
  // One bound on the verification, retries included: the client's `deadlineMs` (no signal of our
  // own to build, link and listen to on every call).
  const { verify, deadlineMs } = opts
  return async function verifyOpaque(token, retry) {
    let answer: M2MToken
    try {
      answer = await verify(token, deadlineMs, retry)
    } catch (error) {
      throw toAuthError(error)
    }
    return checkAnswer(answer, opts.now())
  }
}

/** A 200 is not enough: the token must also be neither revoked nor expired by our clock. */
function checkAnswer(answer: M2MToken, now: number): VerifiedM2MToken {
  if (answer.revoked) throw new InvalidTokenError('The access token has been revoked')
  if (answer.expired || (answer.expiration !== null && answer.expiration <= now)) {
    throw new InvalidTokenError('The access token has expired')
  }
  return {
    tokenType: 'm2m_token',
    format: 'opaque',
    id: answer.id,
    subject: answer.subject,
    machineId: answer.subject,
    scopes: answer.scopes,
    // Clerk allows any JSON value as claims; objects are by far the common case.
    claims: answer.claims as VerifiedM2MToken['claims'],
    expiration: answer.expiration,
    createdAt: answer.createdAt,
  }
}

/** Maps a client failure to the answer our caller gets. */
export function toAuthError(error: unknown): AuthError {
  if (error instanceof AuthError) return error
  if (error instanceof M2MApiError) {
    if (error.malformedResponse) return unavailable(error)
    if (INVALID_TOKEN_STATUSES.has(error.status)) {
      return new InvalidTokenError(`The token service does not know this token (HTTP ${error.status})`, error)
    }
    if (CODED_STATUSES.has(error.status) && isAboutTheToken(error)) {
      return new InvalidTokenError(
        `The token service refused the token's format (HTTP ${error.status})`,
        error,
      )
    }
    if (KEY_REJECTED_STATUSES.has(error.status)) {
      const description = `The token service rejected this server's secret key (HTTP ${error.status})`
      return new ServerConfigError(description, error)
    }
    // Any other 4xx is about our request: 500, logged once by the verifier, never cached.
    if (error.status >= 400 && error.status < 500 && error.status !== 429) {
      return new ServerConfigError('The token service refused the verification request', error)
    }
    // 429, 5xx and anything unexpected: Clerk did not say the token is bad, so fail closed with 503.
    return unavailable(error)
  }
  if (error instanceof M2MValidationError)
    return new InvalidTokenError('The token is not a valid M2M token', error)
  // M2MNetworkError, our deadline, or anything else: we could not get an answer.
  return unavailable(error)
}

/** Every error item names the `token` parameter and says its value is wrong. */
function isAboutTheToken(error: M2MApiError): boolean {
  return (
    error.errors.length > 0 &&
    error.errors.every((item) => TOKEN_VALUE_CODES.has(item.code) && item.meta?.param_name === 'token')
  )
}

function unavailable(error: unknown): TokenServiceUnavailableError {
  const retryAfterMs = error instanceof M2MApiError ? error.retryAfterMs : undefined
  const seconds = retryAfterMs === undefined ? 1 : Math.max(1, Math.ceil(retryAfterMs / 1000))
  const timedOut =
    (error instanceof M2MNetworkError && error.timedOut) ||
    (error instanceof DOMException && error.name === 'TimeoutError')
  const description = timedOut
    ? 'The token service did not answer in time'
    : 'The token service is temporarily unavailable'
  return new TokenServiceUnavailableError(seconds, error, description)
}
