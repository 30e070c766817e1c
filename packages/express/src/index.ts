import {
  AuthError,
  type AuthenticateOptions,
  authorizationFromRawHeaders,
  checkScopes,
  createVerifier,
  M2MConfigError,
  M2MError,
  resolveVerifierOptions,
  toErrorResponse,
} from '@m2m-auth/core'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { ErrorHandling, M2MAuth, M2MAuthMiddleware, M2MAuthOptions } from './types.js'

export { AuthError, toErrorResponse, type VerifiedM2MToken } from '@m2m-auth/core'
export type { ErrorHandling, M2MAuth, M2MAuthMiddleware, M2MAuthOptions, M2MClaims } from './types.js'

interface Settings {
  realm: string
  errorHandling: ErrorHandling
}

const defaultSettings: Settings = { realm: 'api', errorHandling: 'respond' }
// How the m2mAuth() that handled a request renders errors, so requireScopes() answers the same way.
// A symbol-keyed property, not a WeakMap: a WeakMap entry per request costs measurable GC time.
const SETTINGS = Symbol('m2m-auth.settings')
type WithSettings = Request & { [SETTINGS]?: Settings }

/**
 * Express middleware that authenticates Clerk M2M tokens from the `Authorization` header and sets
 * `req.m2m`. The verifier (and its cache) is built once, here; a missing secret key throws now,
 * not on the first request. Works on Express 4 and 5: it never returns a promise to Express.
 *
 * @example
 * ```ts
 * app.use(m2mAuth()) // CLERK_MACHINE_SECRET_KEY, else CLERK_SECRET_KEY; CLERK_API_URL
 * app.get('/orders', (req, res) => res.json({ caller: req.m2m?.subject }))
 * ```
 */
export function m2mAuth(options: M2MAuthOptions = {}): M2MAuthMiddleware {
  const { scopes, optional = false, realm = 'api', errorHandling = 'respond', ...verifierOptions } = options
  if (errorHandling !== 'respond' && errorHandling !== 'next') {
    throw new M2MConfigError('errorHandling', "errorHandling must be 'respond' or 'next'")
  }
  // The adapter, not the core, reads the runtime's environment (once, here).
  const verifier = createVerifier(resolveVerifierOptions(verifierOptions, process.env))
  const settings: Settings = { realm, errorHandling }
  const authenticateOptions: AuthenticateOptions = { scopes: scopes ?? [], optional }

  const middleware = function m2mAuthMiddleware(req: Request, res: Response, next: NextFunction): void {
    ;(req as WithSettings)[SETTINGS] = settings
    // Repeated Authorization lines are joined, so two credentials are refused (400), not one trusted.
    const header = authorizationFromRawHeaders(req.rawHeaders)
    verifier.authenticate(header, authenticateOptions).then(
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
 * Route middleware: the token on `req.m2m` must be scoped to every one of these machine ids, else
 * 403 `insufficient_scope` (with the `scope` attribute). Answers the way the `m2mAuth()` that ran
 * before it does (`realm`, `errorHandling`).
 *
 * @example
 * ```ts
 * app.get('/admin/reports', requireScopes('mch_admin...'), handler)
 * ```
 */
export function requireScopes(...scopes: string[]): RequestHandler {
  if (scopes.length === 0) {
    throw new M2MConfigError('scopes', 'requireScopes() needs at least one machine id (mch_...)')
  }
  return function requireM2MScopes(req: Request, res: Response, next: NextFunction): void {
    try {
      // A null token (optional mode, no credentials) is a 401: a scoped route needs credentials.
      checkScopes(getM2MAuth(req), scopes)
    } catch (error) {
      fail(error, res, next, (req as WithSettings)[SETTINGS] ?? defaultSettings)
      return
    }
    next()
  }
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
  // Errors that are not authentication outcomes are bugs: let the app's error handling see them.
  if (settings.errorHandling === 'next' || !(error instanceof AuthError)) {
    next(error)
    return
  }
  const { status, headers, body } = toErrorResponse(error, { realm: settings.realm })
  res.status(status).set(headers).json(body)
}
