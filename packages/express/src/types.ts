import type { VerifiedM2MToken, Verifier, VerifierOptions } from '@m2m-auth/core'
import type { RequestHandler } from 'express'

/**
 * The custom claims your machines put into their tokens. Empty by default (every claim is
 * `unknown`); augment it once in your app to type `req.m2m.claims` everywhere.
 *
 * @example
 * ```ts
 * declare module '@m2m-auth/express' {
 *   interface M2MClaims { tenant: string }
 * }
 * // later: req.m2m?.claims?.tenant is a string
 * ```
 */
export interface M2MClaims {
  [claim: string]: unknown
}

/** The token `m2mAuth()` puts on `req.m2m`: core's `VerifiedM2MToken` with your {@link M2MClaims}. */
export type M2MAuth = VerifiedM2MToken<M2MClaims>

/**
 * What `m2mAuth()` does with an authentication failure.
 * - `'respond'`: answers at once (status, `WWW-Authenticate`, `Cache-Control: no-store`,
 *   `Retry-After`, JSON body), the same answer as core's `toErrorResponse()`.
 * - `'next'`: calls `next(error)` with the core `AuthError`, so your own error handler renders it
 *   (for instance with `toErrorResponse(error, { realm })`) or logs it first.
 */
export type ErrorHandling = 'respond' | 'next'

/**
 * Options of `m2mAuth()`: every option of core's verifier, plus the adapter's own few.
 * `secretKey` and `apiUrl` default to the environment (`CLERK_MACHINE_SECRET_KEY`, else
 * `CLERK_SECRET_KEY`; `CLERK_API_URL`).
 */
export interface M2MAuthOptions extends Partial<VerifierOptions> {
  /**
   * Machine ids (`mch_...`) the token must be scoped to, on every route behind this middleware.
   * Use `requireScopes()` for per-route requirements.
   * @default []
   */
  scopes?: readonly string[]
  /**
   * When `true`, a request without credentials goes on with `req.m2m = null`. A request with a
   * malformed or bad token is still rejected.
   * @default false
   */
  optional?: boolean
  /**
   * The protection space named in `WWW-Authenticate: Bearer realm="..."`.
   * @default 'api'
   */
  realm?: string
  /**
   * Answer failures directly (`'respond'`) or hand them to Express's error handling (`'next'`).
   * @default 'respond'
   */
  errorHandling?: ErrorHandling
}

declare global {
  // Express's own typings declare `Express.Request` in this global namespace: merging is the only
  // way to type `req.m2m` on every handler without wrapping Express's types.
  namespace Express {
    interface Request {
      /**
       * Set by `m2mAuth()`: the verified token, `null` in optional mode when no credentials were
       * sent, `undefined` when the middleware did not run (use `getM2MAuth(req)` to fail loudly).
       */
      m2m?: M2MAuth | null
    }
  }
}

/**
 * The middleware returned by `m2mAuth()`, with its verifier: e.g. revoke a token and drop its cached
 * answer at once with `await auth.verifier.revokeToken({ m2mTokenId })`.
 */
export type M2MAuthMiddleware = RequestHandler & { readonly verifier: Verifier }
