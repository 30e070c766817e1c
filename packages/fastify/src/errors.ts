import { type AuthErrorCode, type ErrorResponse, toErrorResponse } from '@m2m-auth/core'

/** Fastify-style codes of the errors the plugin raises, one per row of the RFC 6750 answer table. */
export type FastifyM2MErrorCode =
  | 'FST_M2M_UNAUTHORIZED'
  | 'FST_M2M_INVALID_REQUEST'
  | 'FST_M2M_INVALID_TOKEN'
  | 'FST_M2M_INSUFFICIENT_SCOPE'
  | 'FST_M2M_UNAVAILABLE'
  | 'FST_M2M_SERVER_ERROR'

// Keyed by the JSON body's `error` field, which toErrorResponse() always sets to an AuthErrorCode.
const CODES: Record<AuthErrorCode, FastifyM2MErrorCode> = {
  unauthorized: 'FST_M2M_UNAUTHORIZED',
  invalid_request: 'FST_M2M_INVALID_REQUEST',
  invalid_token: 'FST_M2M_INVALID_TOKEN',
  insufficient_scope: 'FST_M2M_INSUFFICIENT_SCOPE',
  temporarily_unavailable: 'FST_M2M_UNAVAILABLE',
  server_error: 'FST_M2M_SERVER_ERROR',
}

/**
 * What the plugin throws to an application's own error handler (`setErrorHandler`). It carries the
 * complete answer the plugin would otherwise send itself, so a handler can pass it through as is:
 * `statusCode`, `headers` (`WWW-Authenticate`, `Cache-Control: no-store`, `Retry-After`, content type)
 * and the JSON `body`. The core `AuthError` is its `cause`. Fastify's own default error handler also
 * honours `statusCode` and `headers`.
 *
 * @example
 * ```ts
 * app.setErrorHandler((error, request, reply) => {
 *   if (error instanceof FastifyM2MError) return reply.code(error.statusCode).headers(error.headers).send(error.body)
 *   reply.send(error)
 * })
 * ```
 */
export class FastifyM2MError extends Error {
  /** A stable Fastify-style code, e.g. `FST_M2M_INVALID_TOKEN`. */
  readonly code: FastifyM2MErrorCode
  /** 400, 401, 403, 500 or 503. */
  readonly statusCode: number
  /** Lower-case header names and values of the answer. */
  readonly headers: Record<string, string>
  /** The RFC 6750 JSON body: `{ error, error_description }`. */
  readonly body: ErrorResponse['body']

  constructor(cause: unknown, realm: string) {
    const response = toErrorResponse(cause, { realm })
    super(response.body.error_description, { cause })
    this.name = 'FastifyM2MError'
    this.code = CODES[response.body.error as AuthErrorCode] ?? 'FST_M2M_SERVER_ERROR'
    this.statusCode = response.status
    this.headers = response.headers
    this.body = response.body
  }
}
