import type { AdapterOptions, AuthorizeHook, VerifiedM2MToken, Verifier } from '@m2m-auth/core'
import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * What the plugin does with an authentication failure.
 * - `'respond'`: sends the RFC 6750 answer itself (status, `WWW-Authenticate`, `Retry-After`,
 *   `Cache-Control: no-store`, JSON body), whatever error handler the app has.
 * - `'throw'`: throws a `FastifyM2MError` to Fastify's error path, so the app's `setErrorHandler()`
 *   renders it (Fastify's default handler also honours its `statusCode` and `headers`).
 */
export type ErrorHandling = 'respond' | 'throw'

/**
 * Options of the `m2mAuth` plugin: the verifier's options (`secretKey`, `apiUrl`, `machineId`,
 * `timeoutMs`, `cache`, `jwt`, ...) or a ready `verifier`, the rule (`scope`, `callers`,
 * `authorize`, `optional`), `realm` and `logger` (default: the app's `fastify.log`), as in every
 * adapter, plus `global` and `errorHandling`. Unknown keys are refused at registration.
 *
 * @example
 * ```ts
 * await app.register(m2mAuth, { scope: ['mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'], timeoutMs: 2000 })
 * ```
 */
export interface M2MAuthOptions extends AdapterOptions<FastifyRequest> {
  /**
   * Protect every route of the context the plugin is registered in (an `onRequest` hook). With
   * `false`, nothing is protected until a route asks for it with `app.m2mAuth.require()`.
   * @default true
   */
  global?: boolean
  /**
   * Send failures directly (`'respond'`) or throw them to the app's error handler (`'throw'`).
   * @default 'respond'
   */
  errorHandling?: ErrorHandling
}

/**
 * Per-route settings, given as route `config.m2m` (or `false` there to opt the route out) and as
 * the argument of `app.m2mAuth.require()`. They add to the plugin's rule: scopes are added,
 * caller lists must both allow the caller, hooks run plugin's first.
 *
 * @example
 * ```ts
 * app.get('/invoices', { config: { m2m: { scope: 'mch_billing...' } } }, handler)
 * app.post('/refunds', { config: { m2m: { callers: ['mch_billing'] } } }, handler)
 * app.get('/status', { config: { m2m: false } }, handler)
 * ```
 */
export interface M2MRouteOptions {
  /** Scopes this route requires in addition to the plugin's `scope`. @default [] */
  scope?: string | readonly string[]
  /** Sending machines allowed on this route (and by the plugin's `callers`). @default any */
  callers?: string | readonly string[]
  /** This route's own check, after the plugin's. @default undefined */
  authorize?: AuthorizeHook<FastifyRequest>
  /**
   * Overrides the plugin's `optional` for this route; never lets an anonymous request reach a
   * requirement (scope, callers or a hook: 401).
   * @default the plugin's `optional`
   */
  optional?: boolean
}

/**
 * An `onRequest` (or `preHandler`) hook that authenticates the request and sets `request.m2m`.
 * Answers (or hands the app's error handler) the RFC 6750 error when authentication fails.
 * Callback style, like the plugin's global hook: a cached token is answered with no promise.
 */
export type M2MAuthHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
) => void

/** The `app.m2mAuth` decorator. */
export interface M2MAuthDecorator {
  /**
   * A hook protecting one route, for apps that register the plugin with `global: false`. Its
   * rule is added to the plugin's.
   *
   * @example
   * ```ts
   * app.get('/orders', { onRequest: app.m2mAuth.require({ scope: 'mch_...' }) }, handler)
   * ```
   */
  require(options?: M2MRouteOptions): M2MAuthHook
  /** The verifier built at registration (cache statistics, `invalidate()`), or the one given. */
  readonly verifier: Verifier
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The verified M2M token, or `null` on unprotected routes and optional ones without a token.
     * Its claims are typed by core's `M2MClaims`: augment that (never redeclare this property).
     */
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
