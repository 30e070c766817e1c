import { brand, M2MError } from '../errors.js'
import type { ClerkErrorItem } from '../types.js'

/** What an {@link M2MApiError} is built from. */
export interface M2MApiErrorInit {
  /** The HTTP status Clerk answered with. */
  status: number
  /** Clerk's `errors[]`, camelCased; never empty (a synthetic item stands in for an unreadable body). */
  errors: ClerkErrorItem[]
  clerkTraceId?: string | undefined
  retryAfterMs?: number | undefined
  malformedResponse?: boolean
}

/**
 * Clerk answered, but not with what we asked for: a non-2xx status, or a 2xx whose body is not the
 * expected JSON (`malformedResponse: true`, `errors[0].code === 'malformed_response'`).
 *
 * `errors` always has at least one item: when the body is not a Clerk error body (an HTML page from a
 * proxy, an empty body), a synthetic item with code `unexpected_response` stands in for it. Any
 * occurrence of the secret key or of the token being verified is replaced by `[redacted]` in the items.
 *
 * @example
 * ```ts
 * try { await client.verifyToken({ token }) } catch (e) {
 *   if (e instanceof M2MApiError && e.status === 404) { ... } // unknown, revoked or expired token
 * }
 * ```
 */
export class M2MApiError extends M2MError {
  static {
    brand(M2MApiError, 'M2MApiError')
  }

  declare readonly code: 'm2m_api_error'
  /** HTTP status of the answer (a 2xx when `malformedResponse` is true). */
  readonly status: number
  readonly errors: ClerkErrorItem[]
  /** `clerk_trace_id` from the body, else the `CF-Ray` header; quote it to Clerk support. */
  readonly clerkTraceId: string | undefined
  /** From the `Retry-After` header (seconds or an HTTP date), in milliseconds. */
  readonly retryAfterMs: number | undefined
  /**
   * True when a 2xx answer could not be read (not JSON, or not the documented shape). Clerk did not
   * say no: callers such as the verifier treat this as a transient outage, not as a bad token.
   */
  readonly malformedResponse: boolean

  constructor(init: M2MApiErrorInit) {
    super('m2m_api_error', describe(init))
    this.status = init.status
    this.errors = init.errors
    this.clerkTraceId = init.clerkTraceId
    this.retryAfterMs = init.retryAfterMs
    this.malformedResponse = init.malformedResponse ?? false
  }
}

function describe(init: M2MApiErrorInit): string {
  const first = init.errors[0]
  const what = init.malformedResponse ? 'an unreadable answer' : 'an error'
  const detail = first ? ` (${first.code}): ${first.message}` : ''
  return `Clerk API answered HTTP ${init.status} with ${what}${detail}`
}

/**
 * Clerk could not be reached, or did not answer within `timeoutMs` (`timedOut: true`). Always
 * transient from the caller's point of view.
 */
export class M2MNetworkError extends M2MError {
  static {
    brand(M2MNetworkError, 'M2MNetworkError')
  }

  declare readonly code: 'm2m_network_error'
  /** True when the attempt was cut by the client's own `timeoutMs`. */
  readonly timedOut: boolean

  constructor(message: string, init: { cause: unknown; timedOut: boolean }) {
    super('m2m_network_error', message, { cause: init.cause })
    this.timedOut = init.timedOut
  }
}

/**
 * A parameter of a client call is invalid; thrown before any request is made. `parameter` names it
 * (`subject`, `limit`, `retry.maxAttempts`, ...). The message never contains the offending value.
 */
export class M2MValidationError extends M2MError {
  static {
    brand(M2MValidationError, 'M2MValidationError')
  }

  declare readonly code: 'm2m_invalid_parameter'
  readonly parameter: string

  constructor(parameter: string, message: string) {
    super('m2m_invalid_parameter', message)
    this.parameter = parameter
  }
}

const REDACTED = '[redacted]'
const MAX_REDACT_DEPTH = 8

/**
 * Replaces every occurrence of a secret (secret key, token) in the strings of `value`, recursively.
 * Clerk does not echo them today; a proxy, an emulator or a future API might, and error messages
 * end up in logs.
 */
export function redactSecrets<T>(value: T, secrets: readonly string[], depth = 0): T {
  if (typeof value === 'string') {
    let out: string = value
    for (const secret of secrets) if (secret) out = out.split(secret).join(REDACTED)
    return out as T
  }
  if (depth >= MAX_REDACT_DEPTH || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, secrets, depth + 1)) as T
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) out[key] = redactSecrets(v, secrets, depth + 1)
  return out as T
}
