import { AuthError, toErrorResponse } from '@m2m-auth/core'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * Wraps an `AuthError` into the `HTTPException` Hono's error path understands. It carries the
 * complete answer of core's `toErrorResponse()` (status, `WWW-Authenticate`, `Cache-Control: no-store`,
 * `Retry-After`, JSON body), so Hono's default handler sends it as is and an app's `onError` can
 * still intercept it: `err.getResponse()` is that answer, `err.cause` the core `AuthError`.
 */
export function toHTTPException(error: AuthError, realm: string): HTTPException {
  const { status, headers, body } = toErrorResponse(error, { realm })
  const res = new Response(JSON.stringify(body), { status, headers })
  return new HTTPException(status as ContentfulStatusCode, {
    res,
    message: body.error_description,
    cause: error,
  })
}

/** Runs `fn`; an `AuthError` becomes an `HTTPException`, anything else (a bug) goes on unchanged. */
export async function rethrowAsHTTPException<T>(realm: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    if (error instanceof AuthError) throw toHTTPException(error, realm)
    throw error
  }
}

/**
 * The realm of the `m2mAuth()` that authenticated a request, so that `requireScopes()` (which has
 * no options of its own) answers with the same challenge. A symbol-keyed property of the context
 * rather than a context variable (nothing leaks into the app's `Variables` type) or a WeakMap (a
 * WeakMap entry per request cost 17-25 µs of CPU per request under load in `pnpm bench`, mostly
 * in garbage collection of ephemerons; see bench/RESULTS.md).
 */
const REALM = Symbol('m2m-auth.realm')

type WithRealm = Context & { [REALM]?: string }

/** Records the realm used for this request. */
export function rememberRealm(c: Context, realm: string): void {
  ;(c as WithRealm)[REALM] = realm
}

/** The realm recorded for this request, or the default. */
export function realmOf(c: Context): string {
  return (c as WithRealm)[REALM] ?? 'api'
}
