import type { AdapterOptions, AuthorizeHook, M2MClaims, VerifiedM2MToken } from '@m2m-auth/core'
import type { Context } from 'hono'

/**
 * Options of `m2mAuth()`: the verifier's options (`secretKey`, `apiUrl`, `machineId`, `timeoutMs`,
 * `cache`, `jwt`, `singleFlight`, ...) or a ready `verifier`, the rule (`scope`, `callers`,
 * `authorize` with the Hono `Context`, `optional`), `realm` and `logger`, as in every adapter.
 * Unknown keys are refused.
 *
 * `secretKey` and `apiUrl` default to, in this order: the request's bindings (`c.env`: Cloudflare
 * Workers bindings, or the third argument of `app.request()`), then the runtime's environment
 * (`process.env` on Node and Bun, `Deno.env` on Deno): `CLERK_MACHINE_SECRET_KEY`, else
 * `CLERK_SECRET_KEY`; `CLERK_API_URL`.
 *
 * @example
 * ```ts
 * app.use('/api/*', m2mAuth({ scope: ['mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'], timeoutMs: 2000 }))
 * ```
 */
export type M2MAuthOptions = AdapterOptions<Context>

/** A route-level rule for `requireM2M()`, checked on the token `m2mAuth()` verified. */
export interface M2MRouteOptions {
  /** Machine ids (`mch_...`) the token must **all** be scoped to. @default [] */
  scope?: string | readonly string[]
  /** Sending machines allowed on this route. @default any */
  callers?: string | readonly string[]
  /** The app's own check, with the Hono `Context`. @default undefined */
  authorize?: AuthorizeHook<Context>
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
export type M2MVariables<TClaims = M2MClaims> = {
  /** The verified token, or `null` in `optional` mode when the request carried no credentials. */
  m2m: VerifiedM2MToken<TClaims> | null
}

/** The Hono `Env` of the middleware: `{ Variables: M2MVariables }`. */
export type M2MEnv<TClaims = M2MClaims> = { Variables: M2MVariables<TClaims> }
