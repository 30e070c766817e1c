import type { VerifiedM2MToken, Verifier, VerifierOptions } from '@m2m-auth/core'
import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * Options of the `m2mAuth` plugin: every option of core's `createVerifier()` (`secretKey`, `apiUrl`,
 * `machineId`, `timeoutMs`, `cache`, `jwt`, ...) plus the plugin's own few.
 *
 * @example
 * ```ts
 * await app.register(m2mAuth, { scope: ['mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'], timeoutMs: 2000 })
 * ```
 */
export interface M2MAuthOptions extends Omit<VerifierOptions, 'secretKey'> {
  /**
   * Machine (`ak_...`) or instance (`sk_...`) secret key used to verify tokens.
   * @default process.env.CLERK_MACHINE_SECRET_KEY, else process.env.CLERK_SECRET_KEY
   */
  secretKey?: string
  /**
   * Scopes (machine ids, `mch_...`) every protected route requires; a token must carry all of them.
   * @default []
   */
  scope?: string | readonly string[]
  /**
   * Let requests without any `Authorization` header through with `request.m2m === null`. A header
   * that is present is still verified: a bad token is always refused.
   * @default false
   */
  optional?: boolean
  /**
   * Protection space named in `WWW-Authenticate`.
   * @default 'api'
   */
  realm?: string
  /**
   * Protect every route of the context the plugin is registered in (an `onRequest` hook). With
   * `false`, nothing is protected until a route asks for it with `app.m2mAuth.require()`.
   * @default true
   */
  global?: boolean
}

/**
 * Per-route settings, given as route `config.m2m` (or `false` there to opt the route out) and as
 * the argument of `app.m2mAuth.require()`.
 *
 * @example
 * ```ts
 * app.get('/invoices', { config: { m2m: { scope: 'mch_billing...' } } }, handler)
 * app.get('/status', { config: { m2m: false } }, handler)
 * ```
 */
export interface M2MRouteOptions {
  /** Scopes this route requires in addition to the plugin's `scope`. @default [] */
  scope?: string | readonly string[]
  /** Overrides the plugin's `optional` for this route. @default the plugin's `optional` */
  optional?: boolean
}

/**
 * An `onRequest` (or `preHandler`) hook that authenticates the request and sets `request.m2m`.
 * Answers (or throws to the app's error handler) the RFC 6750 error when authentication fails.
 */
export type M2MAuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>

/** The `app.m2mAuth` decorator. */
export interface M2MAuthDecorator {
  /**
   * A hook protecting one route, for apps that register the plugin with `global: false`. Its
   * scopes are added to the plugin's `scope`.
   *
   * @example
   * ```ts
   * app.get('/orders', { onRequest: app.m2mAuth.require({ scope: 'mch_...' }) }, handler)
   * ```
   */
  require(options?: M2MRouteOptions): M2MAuthHook
  /** The verifier built at registration (cache statistics, `invalidate()`). */
  readonly verifier: Verifier
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified M2M token, or `null` on unprotected routes and optional ones without a token. */
    m2m: VerifiedM2MToken | null
  }
  interface FastifyContextConfig {
    /** Per-route M2M settings, or `false` to leave this route unprotected. */
    m2m?: M2MRouteOptions | false
  }
  interface FastifyInstance {
    /** Added by `@m2m-auth/fastify`. */
    m2mAuth: M2MAuthDecorator
  }
}
