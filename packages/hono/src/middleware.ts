import {
  AuthError,
  type AuthRule,
  applyAuthRule,
  authorizationOf,
  createAuthRule,
  type LibraryLog,
  type M2MClaims,
  M2MConfigError,
  M2MError,
  NOT_CACHED,
  resolveAdapterOptions,
  type SyncAuthResult,
  type Verifier,
} from '@m2m-auth/core'
import type { Context, MiddlewareHandler, Next } from 'hono'
import { realmOf, rememberRealm, rethrowAsHTTPException, toHTTPException } from './errors.js'
import type { M2MAuthOptions, M2MEnv, M2MRouteOptions } from './types.js'
import { VerifierPool } from './verifiers.js'

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
export function m2mAuth<TClaims = M2MClaims>(options: M2MAuthOptions = {}): M2MAuthMiddleware<TClaims> {
  const resolved = resolveAdapterOptions<Context>(options, 'hono')
  const { realm, rule } = resolved
  const pool = new VerifierPool(resolved.verifierOptions, resolved.verifier)
  pool.prepare()
  const log = reportConfig(resolved.log)

  const middleware: MiddlewareHandler<M2MEnv<TClaims>> = function m2mAuth(c, next) {
    rememberRealm(c, realm)
    let verifier: Verifier
    let known: SyncAuthResult
    const header = authorizationHeader(c)
    try {
      verifier = pool.forRequest(c, log)
      known = verifier.authenticateSync(header, rule, c)
    } catch (error) {
      throw error instanceof AuthError ? toHTTPException(error, realm) : error
    }
    // A cached token (or a refusal known without I/O) is answered now: no promise of ours.
    if (known === NOT_CACHED) return authenticated(c, next, verifier, header)
    if (known instanceof AuthError) throw toHTTPException(known, realm)
    c.set('m2m', known as M2MEnv<TClaims>['Variables']['m2m'])
    return next()
  }
  async function authenticated(c: Context, next: Next, verifier: Verifier, header: string | undefined) {
    const token = await rethrowAsHTTPException(realm, () => verifier.authenticate(header, rule, c))
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
export type M2MAuthMiddleware<TClaims = M2MClaims> = MiddlewareHandler<M2MEnv<TClaims>> & {
  /** The verifier built at registration; throws when the key only comes with request bindings. */
  readonly verifier: Verifier
  /** The verifier that serves this request (its bindings win over the runtime's environment). */
  verifierFor(c: Context): Verifier
}

/**
 * Route middleware: the token `m2mAuth()` verified must satisfy this rule (`scope`, `callers`,
 * `authorize`, with the Hono `Context` as the hook's request), else an `HTTPException` with 403
 * `insufficient_scope`; behind an `optional` `m2mAuth()`, a request without credentials gets 401.
 * The challenge uses the realm of the `m2mAuth()` that ran before it.
 *
 * @example
 * ```ts
 * app.post('/api/refunds', requireM2M({ callers: ['mch_billing'] }), (c) => c.json({ ok: true }))
 * ```
 */
export function requireM2M(options: M2MRouteOptions): MiddlewareHandler<M2MEnv> {
  return routeRule(createAuthRule<Context>(options))
}

/**
 * Requires the token that `m2mAuth()` verified to be scoped to **every** given machine
 * (`mch_...`); otherwise throws an `HTTPException` with 403 `insufficient_scope` (and `scope="..."`
 * in the challenge). Same as `requireM2M({ scope })`.
 *
 * @example
 * ```ts
 * app.use('/api/*', m2mAuth())
 * app.post('/api/refunds', requireScopes('mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'), (c) => c.json({ ok: true }))
 * ```
 */
export function requireScopes(...scope: string[]): MiddlewareHandler<M2MEnv> {
  if (scope.length === 0 || !scope.every((s) => typeof s === 'string' && s !== '')) {
    throw new M2MConfigError('scope', 'requireScopes() needs one or more machine ids (non-empty strings)')
  }
  return routeRule(createAuthRule<Context>({ scope }))
}

function routeRule(rule: AuthRule<Context>): MiddlewareHandler<M2MEnv> {
  return async function requireM2M(c, next) {
    const token = c.var.m2m
    if (token === undefined) {
      // A wiring mistake, not the client's: fail loudly (500) instead of answering 401 to everyone.
      throw new M2MError(
        'm2m_middleware_missing',
        'requireM2M() and requireScopes() run only after m2mAuth(): add app.use(path, m2mAuth()) for this route first',
      )
    }
    await rethrowAsHTTPException(realmOf(c), () => applyAuthRule(rule, token, c))
    await next()
  }
}

/** Each distinct configuration error once, through the logger (the message names the option). */
function reportConfig(log: LibraryLog): (error: M2MConfigError) => void {
  return (error) =>
    log.once(`config:${error.message}`, 'error', `answering 500 server_error: ${error.message}`)
}

/** The Node request @hono/node-server passes as `c.env.incoming`: its raw header lines. */
interface IncomingLike {
  rawHeaders: string[]
  headers: Record<string, string | string[] | undefined>
}

/**
 * The Authorization header. On @hono/node-server, from the Node request's raw lines: repeated
 * lines are joined so two credentials are refused (400), and the Web `Request` is never built.
 * Elsewhere (Workers, Bun, Deno) from the Web `Request`.
 */
function authorizationHeader(c: Context): string | undefined {
  const incoming = (c.env as { incoming?: IncomingLike } | undefined)?.incoming
  if (incoming !== undefined && Array.isArray(incoming.rawHeaders)) {
    return authorizationOf(incoming.rawHeaders, incoming.headers)
  }
  return c.req.header('authorization')
}
