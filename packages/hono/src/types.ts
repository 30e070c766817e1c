import type { VerifiedM2MToken, VerifierOptions } from '@m2m-auth/core'

/**
 * Options of `m2mAuth()`: every option of core's `createVerifier()` (`secretKey`, `apiUrl`,
 * `machineId`, `timeoutMs`, `cache`, `jwt`, `singleFlight`, ...) plus the middleware's own few.
 *
 * `secretKey` and `apiUrl` default to, in this order: the request's bindings (`c.env`: Cloudflare
 * Workers bindings, or the third argument of `app.request()`), then the runtime's environment
 * (`process.env` on Node and Bun, `Deno.env` on Deno): `CLERK_MACHINE_SECRET_KEY`, else
 * `CLERK_SECRET_KEY`; `CLERK_API_URL`.
 *
 * @example
 * ```ts
 * app.use('/api/*', m2mAuth({ scopes: ['mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'], timeoutMs: 2000 }))
 * ```
 */
export interface M2MAuthOptions extends Partial<VerifierOptions> {
  /**
   * Machine ids (`mch_...`) the token must be scoped to, on every route behind this middleware.
   * Use `requireScopes()` for per-route requirements.
   * @default []
   */
  scopes?: readonly string[]
  /**
   * When `true`, a request without an `Authorization` header goes on with `c.var.m2m === null`.
   * A header that is present is still verified: a malformed or bad token is always refused.
   * @default false
   */
  optional?: boolean
  /**
   * The protection space named in `WWW-Authenticate: Bearer realm="..."`.
   * @default 'api'
   */
  realm?: string
}

/**
 * The context variables `m2mAuth()` sets. Exported for apps that type their `Hono` instance once
 * (`new Hono<{ Variables: M2MVariables }>()`) or prefer a global augmentation:
 *
 * @example
 * ```ts
 * declare module 'hono' {
 *   interface ContextVariableMap extends M2MVariables {}
 * }
 * ```
 */
export type M2MVariables<TClaims = Record<string, unknown>> = {
  /** The verified token, or `null` in `optional` mode when the request carried no credentials. */
  m2m: VerifiedM2MToken<TClaims> | null
}

/** The Hono `Env` of the middleware: `{ Variables: M2MVariables }`. */
export type M2MEnv<TClaims = Record<string, unknown>> = { Variables: M2MVariables<TClaims> }
