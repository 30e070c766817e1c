/**
 * @m2m-auth/fastify: a Fastify plugin that accepts Clerk M2M tokens. Thin by design: it resolves
 * the shared adapter options in core, builds (or takes) one verifier at registration, authenticates
 * in `onRequest` (before any body is parsed) and renders failures with core's `toErrorResponse()`.
 */
import {
  AuthError,
  type AuthRule,
  authorizationOf,
  createAuthRule,
  createVerifier,
  M2MConfigError,
  NOT_CACHED,
  resolveAdapterOptions,
  resolveVerifierOptions,
} from '@m2m-auth/core'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { FastifyM2MError } from './errors.js'
import type { M2MAuthDecorator, M2MAuthOptions, M2MRouteOptions } from './types.js'

export type { M2MClaims, VerifiedM2MToken } from '@m2m-auth/core'
export { FastifyM2MError, type FastifyM2MErrorCode } from './errors.js'
export type {
  ErrorHandling,
  M2MAuthDecorator,
  M2MAuthHook,
  M2MAuthOptions,
  M2MRouteOptions,
} from './types.js'

type Rule = AuthRule<FastifyRequest>
type Done = (error?: Error) => void
/** A route's config object, with the rule each registration compiled for it. */
type RouteConfig = { m2m?: M2MRouteOptions | false; [rule: symbol]: Rule | null | undefined }

const plugin: FastifyPluginAsync<M2MAuthOptions> = async (fastify, options) => {
  // Unknown keys, wrong values, a verifier next to verifier options: M2MConfigError, so `register`
  // rejects. Messages go to the app's own logger unless another one is given.
  const resolved = resolveAdapterOptions<FastifyRequest>(options, 'fastify', { logger: fastify.log })
  const { realm, rule: base } = resolved
  const global = ownBoolean('global', resolved.own.global, true)
  const throwErrors = errorHandlingOf(resolved.own.errorHandling) === 'throw'
  const verifier =
    resolved.verifier ?? createVerifier(resolveVerifierOptions(resolved.verifierOptions, process.env))
  const routeRules = new WeakMap<M2MRouteOptions, Rule>()

  /**
   * The work of the global hook and of `require()`'s, callback style: a cached token (or a refusal
   * known without I/O) is answered before this returns, with no promise; anything else goes
   * through the verifier's `authenticate()`.
   */
  function authenticateNow(request: FastifyRequest, reply: FastifyReply, rule: Rule, done: Done): void {
    const header = authorizationOf(request.raw.rawHeaders, request.headers)
    const known = verifier.authenticateSync(header, rule, request)
    if (known === NOT_CACHED) {
      verifier.authenticate(header, rule, request).then(
        (token) => {
          request.m2m = token
          done()
        },
        (cause: unknown) => refuse(cause, reply, done),
      )
    } else if (known instanceof AuthError) {
      refuse(known, reply, done)
    } else {
      request.m2m = known
      done()
    }
  }

  function refuse(cause: unknown, reply: FastifyReply, done: Done): void {
    if (!(cause instanceof AuthError)) {
      done(cause as Error)
      return
    }
    const error = new FastifyM2MError(cause, realm)
    // Answered here unless the app renders errors: the hook chain stops without `done()`.
    if (throwErrors) done(error)
    else respond(reply, error)
  }

  /** The rule of a route's `config.m2m`, compiled once (at registration, see onRoute below). */
  function ruleFor(settings: M2MRouteOptions | false | undefined): Rule | null {
    if (settings === false) return null
    if (settings === undefined) return base
    let rule = routeRules.get(settings)
    if (rule === undefined) {
      rule = createAuthRule(settings, base, 'config.m2m')
      routeRules.set(settings, rule)
    }
    return rule
  }

  // A misspelt `config.m2m` key must stop the app at startup, not be ignored per request.
  fastify.addHook('onRoute', (route) => {
    const settings = route.config?.m2m
    if (settings !== undefined && settings !== false) ruleFor(settings)
  })

  if (!fastify.hasRequestDecorator('m2m')) fastify.decorateRequest('m2m', null)
  const decorator: M2MAuthDecorator = {
    require(settings = {}) {
      const rule = createAuthRule(settings, base, 'require')
      return function m2mAuthRequire(request, reply, done) {
        authenticateNow(request, reply, rule, done)
      }
    },
    verifier,
  }
  fastify.decorate('m2mAuth', decorator)

  if (global) {
    // Every route of this context (also those registered before the plugin, and the 404 handler)
    // passes this hook; its rule is compiled once per route and kept on the route's config object,
    // under a key of this registration (a nested registration has its own base rule).
    const RULE = Symbol('m2m-auth.rule')
    fastify.addHook('onRequest', function m2mAuthOnRequest(request, reply, done) {
      const config = request.routeOptions.config as unknown as RouteConfig | undefined
      let rule = config?.[RULE]
      if (rule === undefined) {
        rule = ruleFor(config?.m2m)
        if (config !== undefined && Object.isExtensible(config)) config[RULE] = rule
      }
      if (rule === null) done()
      else authenticateNow(request, reply, rule, done)
    })
  }
}

/** A string body is sent as is: a route's response schema cannot reshape the RFC 6750 answer. */
function respond(reply: FastifyReply, error: FastifyM2MError): FastifyReply {
  return reply.code(error.statusCode).headers(error.headers).send(JSON.stringify(error.body))
}

function ownBoolean(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new M2MConfigError(option, `${option} must be a boolean`)
  return value
}

function errorHandlingOf(value: unknown): 'respond' | 'throw' {
  if (value === undefined) return 'respond'
  if (value !== 'respond' && value !== 'throw') {
    throw new M2MConfigError('errorHandling', "errorHandling must be 'respond' or 'throw'")
  }
  return value
}

/**
 * The plugin. Protects every route of the context it is registered in (it uses `fastify-plugin`,
 * so registering it inside `app.register(async (child) => ...)` protects that child's routes only).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify'
 * import m2mAuth from '@m2m-auth/fastify'
 *
 * const app = Fastify()
 * await app.register(m2mAuth, { scope: ['mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'] })
 * app.get('/orders', async (request) => ({ caller: request.m2m?.subject }))
 * ```
 */
export const m2mAuth = fp(plugin, { name: '@m2m-auth/fastify', fastify: '5.x' })

export default m2mAuth
