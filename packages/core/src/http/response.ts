import { AuthError, ServerConfigError } from './errors.js'

/** A framework-neutral HTTP answer: what every adapter sends for an error. */
export interface ErrorResponse {
  status: number
  headers: Record<string, string>
  body: { error: string; error_description: string }
}

/** Options of `toErrorResponse`. */
export interface ErrorResponseOptions {
  /**
   * The protection space named in `WWW-Authenticate`.
   * @default 'api'
   */
  realm?: string
}

/**
 * Renders any error into its RFC 6750 answer: status, `WWW-Authenticate` (4xx only),
 * `Cache-Control: no-store`, `Retry-After` (503) and a JSON body. Errors that are not an
 * `AuthError` become a 500 `server_error` whose body says nothing about the cause.
 *
 * @example
 * ```ts
 * const { status, headers, body } = toErrorResponse(err, { realm: 'orders' })
 * ```
 */
export function toErrorResponse(error: unknown, options: ErrorResponseOptions = {}): ErrorResponse {
  const authError = error instanceof AuthError ? error : new ServerConfigError('Internal server error')
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    'content-type': 'application/json; charset=utf-8',
  }
  const challenge = authError.challenge(options.realm ?? 'api')
  if (challenge !== undefined) headers['www-authenticate'] = challenge
  if (authError.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(authError.retryAfterSeconds)))
  }
  return {
    status: authError.status,
    headers,
    body: { error: authError.code, error_description: authError.description },
  }
}
