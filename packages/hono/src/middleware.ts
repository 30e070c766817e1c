import { checkScopes, M2MConfigError, M2MError, type Verifier } from '@m2m-auth/core'
import type { Context, MiddlewareHandler } from 'hono'
import { realmOf, rememberRealm, rethrowAsHTTPException } from './errors.js'
import type { M2MAuthOptions, M2MEnv } from './types.js'
import { VerifierPool } from './verifiers.js'

/** Distinct configuration messages logged per middleware: enough to be seen, never a flood. */
const MAX_LOGGED = 8

/**
 * Authenticates each request with a Clerk M2M token (`Authorization: Bearer ...`) and sets
 * `c.var.m2m` to the verified token (`null` in `optional` mode without credentials).
 *
 * Failures are thrown as Hono `HTTPException`s carrying the complete RFC 6750 answer (401, 400,
 * 403, 503 with `Retry-After`, 500), so Hono sends it as is and the app's `onError` may intercept
 * it (`err.getResponse()`; `err.cause` is the core `AuthError`).
 *
 * The verifier (and its cache) is built once per configuration: at this call when the key is known
 * then, otherwise on the first request that brings it in its bindings (Cloudflare Workers). A bad
 * option throws `M2MConfigError` here; a key missing at request time answers 500 `server_error` and
 * logs which option and variables to set. On Workers, single-flight is turned off unless
 * `singleFlight` is given, because a request may not await another request's I/O there.
 *
 * @example
 * ```ts
 * const app = new Hono()
 *   .use('/api/*', m2mAuth({ timeoutMs: 2000 })) // key: CLERK_MACHINE_SECRET_KEY (env or bindings)
 *   .get('/api/orders', (c) => c.json({ caller: c.var.m2m?.subject }))
 * ```
 */
export function m2mAuth<TClaims = Record<string, unknown>>(
  options: M2MAuthOptions = {},
): M2MAuthMiddleware<TClaims> {
  const { scopes = [], optional = false, realm = 'api', ...verifierOptions } = options
  checkAdapterOptions(scopes, optional, realm)
  const authenticateOptions = { scopes, optional }
  const pool = new VerifierPool(verifierOptions)
  pool.prepare()
  const log = onceEach(MAX_LOGGED)

  const middleware: MiddlewareHandler<M2MEnv<TClaims>> = async function m2mAuth(c, next) {
    rememberRealm(c, realm)
    const token = await rethrowAsHTTPException(realm, () => {
      const verifier = pool.forRequest(c, log)
      return verifier.authenticate(c.req.header('authorization'), authenticateOptions)
    })
    c.set('m2m', token as M2MEnv<TClaims>['Variables']['m2m'])
    await next()
  }
  // defineProperties, not Object.assign: assign would run the getter now, at registration.
  return Object.defineProperties(middleware, {
    verifierFor: { value: (c: Context) => pool.forRequest(c, log) },
    verifier: {
      get(): Verifier {
        const verifier = pool.startup
        if (verifier === undefined) {
          throw new M2MError(
            'm2m_verifier_unavailable',
            "m2mAuth().verifier: the secret key comes with each request's bindings here; use " +
              'm2mAuth().verifierFor(c) inside a request instead',
          )
        }
        return verifier
      },
    },
  }) as M2MAuthMiddleware<TClaims>
}

/**
 * The middleware returned by {@link m2mAuth}, with access to its verifier, e.g. to revoke a token and
 * drop its cached answer at once: `await auth.verifier.revokeToken({ m2mTokenId })`.
 */
export type M2MAuthMiddleware<TClaims = Record<string, unknown>> = MiddlewareHandler<M2MEnv<TClaims>> & {
  /** The verifier built at registration; throws when the key only comes with request bindings. */
  readonly verifier: Verifier
  /** The verifier that serves this request (its bindings win over the runtime's environment). */
  verifierFor(c: Context): Verifier
}

/**
 * Requires the token that `m2mAuth()` verified to be scoped to **every** given machine
 * (`mch_...`); otherwise throws an `HTTPException` with 403 `insufficient_scope` (and `scope="..."`
 * in the challenge). Behind an `optional` `m2mAuth()`, a request without credentials gets 401.
 * The challenge uses the realm of the `m2mAuth()` that ran before it.
 *
 * @example
 * ```ts
 * app.use('/api/*', m2mAuth())
 * app.post('/api/refunds', requireScopes('mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'), (c) => c.json({ ok: true }))
 * ```
 */
export function requireScopes(...scopes: string[]): MiddlewareHandler<M2MEnv> {
  if (scopes.length === 0 || !scopes.every((s) => typeof s === 'string' && s !== '')) {
    throw new M2MConfigError('scopes', 'requireScopes() needs one or more machine ids (non-empty strings)')
  }
  return async function requireScopes(c, next) {
    const token = c.var.m2m
    if (token === undefined) {
      // A wiring mistake, not the client's: fail loudly (500) instead of answering 401 to everyone.
      throw new M2MError(
        'm2m_middleware_missing',
        'requireScopes() runs only after m2mAuth(): add app.use(path, m2mAuth()) for this route first',
      )
    }
    await rethrowAsHTTPException(realmOf(c), () => {
      checkScopes(token, scopes)
    })
    await next()
  }
}

function checkAdapterOptions(scopes: unknown, optional: unknown, realm: unknown): void {
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && s !== '')) {
    throw new M2MConfigError('scopes', 'scopes must be an array of machine ids (non-empty strings)')
  }
  if (typeof optional !== 'boolean') throw new M2MConfigError('optional', 'optional must be a boolean')
  if (typeof realm !== 'string') throw new M2MConfigError('realm', 'realm must be a string')
}

/** Logs each distinct configuration error once (the message names the option and variables). */
function onceEach(max: number): (error: M2MConfigError) => void {
  const seen = new Set<string>()
  return (error) => {
    if (seen.has(error.message) || seen.size >= max) return
    seen.add(error.message)
    console.error(`[@m2m-auth/hono] answering 500 server_error: ${error.message}`)
  }
}
