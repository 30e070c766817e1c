import type { AdapterOptions, VerifiedM2MToken, Verifier } from '@m2m-auth/core'
import type { Request, RequestHandler } from 'express'

/**
 * The custom claims your machines put into their tokens: core's one augmentable interface, shared
 * by every adapter. Augment it once, in `@m2m-auth/core`, to type `req.m2m.claims` everywhere.
 *
 * @example
 * ```ts
 * declare module '@m2m-auth/core' {
 *   interface M2MClaims { tenant: string }
 * }
 * // later: req.m2m?.claims?.tenant is a string
 * ```
 */
export type { M2MClaims } from '@m2m-auth/core'

/** The token `m2mAuth()` puts on `req.m2m`: core's `VerifiedM2MToken` with your `M2MClaims`. */
export type M2MAuth = VerifiedM2MToken

/**
 * What `m2mAuth()` does with an authentication failure.
 * - `'respond'`: answers at once (status, `WWW-Authenticate`, `Cache-Control: no-store`,
 *   `Retry-After`, JSON body), the same answer as core's `toErrorResponse()`.
 * - `'next'`: calls `next(error)` with the core `AuthError`, which carries `status`, `headers`
 *   (the challenge with this middleware's `realm`, `Retry-After`, `Cache-Control`) and `expose`:
 *   Express's default handler sends that status and those headers; your own can render it with
 *   `toErrorResponse(error)` or log it first.
 */
export type ErrorHandling = 'respond' | 'next'

/**
 * Options of `m2mAuth()`: the verifier's options (`secretKey`, `apiUrl`, `machineId`, `timeoutMs`,
 * `cache`, `jwt`, ...) or a ready `verifier`, the rule (`scope`, `callers`, `authorize`,
 * `optional`), `realm` and `logger`, as in every adapter, plus `errorHandling`. `secretKey` and
 * `apiUrl` default to the environment (`CLERK_MACHINE_SECRET_KEY`, else `CLERK_SECRET_KEY`;
 * `CLERK_API_URL`). Unknown keys are refused.
 *
 * @example
 * ```ts
 * app.use(m2mAuth({ scope: 'mch_orders', callers: ['mch_billing'] }))
 * ```
 */
export interface M2MAuthOptions extends AdapterOptions<Request> {
  /**
   * Answer failures directly (`'respond'`) or hand them to Express's error handling (`'next'`).
   * @default 'respond'
   */
  errorHandling?: ErrorHandling
}

/**
 * A route-level rule for `requireM2M()`: the same `scope`, `callers` and `authorize` as the
 * middleware's, checked on the token `m2mAuth()` verified.
 */
export interface M2MRouteOptions {
  /** Machine ids (`mch_...`) the token must **all** be scoped to. @default [] */
  scope?: string | readonly string[]
  /** Sending machines allowed on this route. @default any */
  callers?: string | readonly string[]
  /** The app's own check: `(token, req) => boolean | Promise<boolean>`. @default undefined */
  authorize?: (token: VerifiedM2MToken, req: Request) => boolean | Promise<boolean>
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
 * answer at once with `await auth.verifier.revokeToken({ m2mTokenId })`, or share it with another
 * middleware (`m2mAuth({ verifier: auth.verifier, callers: [...] })`).
 */
export type M2MAuthMiddleware = RequestHandler & { readonly verifier: Verifier }
