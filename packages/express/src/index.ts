import {
  AuthError,
  type AuthRule,
  applyAuthRule,
  authorizationOf,
  createAuthRule,
  createVerifier,
  M2MConfigError,
  M2MError,
  NOT_CACHED,
  resolveAdapterOptions,
  resolveVerifierOptions,
  toErrorResponse,
} from '@m2m-auth/core'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { ErrorHandling, M2MAuth, M2MAuthMiddleware, M2MAuthOptions, M2MRouteOptions } from './types.js'

export { AuthError, toErrorResponse, type VerifiedM2MToken } from '@m2m-auth/core'
export type {
  ErrorHandling,
  M2MAuth,
  M2MAuthMiddleware,
  M2MAuthOptions,
  M2MClaims,
  M2MRouteOptions,
} from './types.js'

interface Settings {
  realm: string
  errorHandling: ErrorHandling
}

const defaultSettings: Settings = { realm: 'api', errorHandling: 'respond' }
// How the m2mAuth() that handled a request renders errors, so route helpers answer the same way.
// Kept in `res.locals` (Express's per-request object): a new property on an Express `req` costs
// about 2 µs per request on Node 20 and 22 (Express swaps the request's prototype, so their V8
// builds a new hidden class for every request that gets one; bench/proto-swap-maps.mjs), a
// `res.locals` entry about 0.5 µs, a WeakMap entry 1.5 µs and GC time. `req` only when there are
// no locals (a bare `http` server, a test double).
const SETTINGS = Symbol('m2m-auth.settings')
type WithSettings = { [SETTINGS]?: Settings }

function remember(req: Request, res: Response, settings: Settings): void {
  const locals = res.locals as WithSettings | undefined
  if (locals !== undefined && locals !== null) locals[SETTINGS] = settings
  else (req as WithSettings)[SETTINGS] = settings
}

function settingsOf(req: Request, res: Response): Settings {
  return (
    (res.locals as WithSettings | undefined)?.[SETTINGS] ?? (req as WithSettings)[SETTINGS] ?? defaultSettings
  )
}

/**
 * Express middleware that authenticates Clerk M2M tokens from the `Authorization` header and sets
 * `req.m2m`. The verifier (and its cache) is built once, here, unless a ready `verifier` is given;
 * a missing secret key or an unknown option throws now, not on the first request. Works on Express
 * 4 and 5: it never returns a promise to Express.
 *
 * @example
 * ```ts
 * app.use(m2mAuth()) // CLERK_MACHINE_SECRET_KEY, else CLERK_SECRET_KEY; CLERK_API_URL
 * app.post('/refunds', m2mAuth({ callers: 'mch_billing' }), (req, res) => res.json({ caller: req.m2m?.subject }))
 * ```
 */
export function m2mAuth(options: M2MAuthOptions = {}): M2MAuthMiddleware {
  const resolved = resolveAdapterOptions<Request>(options, 'express')
  const errorHandling = resolved.own.errorHandling ?? 'respond'
  if (errorHandling !== 'respond' && errorHandling !== 'next') {
    throw new M2MConfigError('errorHandling', "errorHandling must be 'respond' or 'next'")
  }
  // The adapter, not the core, reads the runtime's environment (once, here).
  const verifier =
    resolved.verifier ?? createVerifier(resolveVerifierOptions(resolved.verifierOptions, process.env))
  const settings: Settings = { realm: resolved.realm, errorHandling }
  const { rule } = resolved

  const middleware = function m2mAuthMiddleware(req: Request, res: Response, next: NextFunction): void {
    remember(req, res, settings)
    // Repeated Authorization lines are joined, so two credentials are refused (400), not one trusted.
    const header = authorizationOf(req.rawHeaders, req.headers)
    // A cached token (or a refusal known without I/O) is answered now: no promise, no extra tick.
    const known = verifier.authenticateSync(header, rule, req)
    if (known !== NOT_CACHED) {
      if (known instanceof AuthError) {
        fail(known, res, next, settings)
        return
      }
      req.m2m = known as M2MAuth | null
      next()
      return
    }
    verifier.authenticate(header, rule, req).then(
      (token) => {
        req.m2m = token as M2MAuth | null
        next()
      },
      (error: unknown) => fail(error, res, next, settings),
    )
  }
  return Object.assign(middleware, { verifier })
}

/**
 * Route middleware: the token `m2mAuth()` put on `req.m2m` must satisfy this rule (`scope`,
 * `callers`, `authorize`), else 403 `insufficient_scope`; a request without credentials (behind an
 * `optional` middleware) gets 401. Answers the way the `m2mAuth()` that ran before it does.
 *
 * @example
 * ```ts
 * app.post('/refunds', requireM2M({ callers: ['mch_billing'], authorize: (t, req) => req.body.amount < 100 }), handler)
 * ```
 */
export function requireM2M(options: M2MRouteOptions): RequestHandler {
  const rule = createAuthRule<Request>(options)
  return function requireM2MRule(req: Request, res: Response, next: NextFunction): void {
    check(rule, req, res, next)
  }
}

/**
 * Route middleware: the token on `req.m2m` must be scoped to every one of these machine ids, else
 * 403 `insufficient_scope` (with the `scope` attribute). Same as `requireM2M({ scope })`.
 *
 * @example
 * ```ts
 * app.get('/admin/reports', requireScopes('mch_admin...'), handler)
 * ```
 */
export function requireScopes(...scope: string[]): RequestHandler {
  if (scope.length === 0) {
    throw new M2MConfigError('scope', 'requireScopes() needs at least one machine id (mch_...)')
  }
  const rule = createAuthRule<Request>({ scope })
  return function requireM2MScopes(req: Request, res: Response, next: NextFunction): void {
    check(rule, req, res, next)
  }
}

function check(rule: AuthRule<Request>, req: Request, res: Response, next: NextFunction): void {
  const settings = settingsOf(req, res)
  let result: ReturnType<typeof applyAuthRule>
  try {
    // A null token (optional mode, no credentials) is a 401: a rule needs credentials.
    result = applyAuthRule(rule, getM2MAuth(req), req)
  } catch (error) {
    fail(error, res, next, settings)
    return
  }
  if (result instanceof Promise)
    result.then(
      () => next(),
      (error: unknown) => fail(error, res, next, settings),
    )
  else next()
}

/**
 * The verified token of this request: `null` in optional mode when no credentials were sent.
 * Throws if `m2mAuth()` did not run for this request (a routing mistake, not a client error).
 *
 * @example
 * ```ts
 * const caller = getM2MAuth(req)?.subject
 * ```
 */
export function getM2MAuth(req: Request): M2MAuth | null {
  if (req.m2m === undefined) {
    throw new M2MError(
      'm2m_middleware_missing',
      'getM2MAuth(req): m2mAuth() did not run for this request; register app.use(m2mAuth()) ' +
        '(or add it to this route) before the handlers that read the token',
    )
  }
  return req.m2m
}

function fail(error: unknown, res: Response, next: NextFunction, settings: Settings): void {
  // Errors that are not authentication outcomes (an authorize hook's exception, a bug) go to the
  // app's error handling in either mode.
  if (!(error instanceof AuthError)) {
    next(error)
    return
  }
  if (settings.errorHandling === 'next') {
    // Its status and headers are what Express's default (and any http-errors-aware) handler sends.
    next(error.withRealm(settings.realm))
    return
  }
  const { status, headers, body } = toErrorResponse(error, { realm: settings.realm })
  res.status(status).set(headers).json(body)
}
