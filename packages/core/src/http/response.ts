import { AuthError, errorHeaders, ServerConfigError } from './errors.js'

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
   * @default the error's `realm` ('api' unless set with `withRealm()`)
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
  const headers = errorHeaders(authError, options.realm ?? authError.realm)
  headers['content-type'] = 'application/json; charset=utf-8'
  return {
    status: authError.status,
    headers,
    body: { error: authError.code, error_description: authError.description },
  }
}
