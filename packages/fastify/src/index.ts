/**
 * @m2m-auth/fastify: a Fastify plugin that accepts Clerk M2M tokens. Thin by design: it builds one
 * core verifier at registration, authenticates in `onRequest` (before any body is parsed) and
 * renders failures with core's `toErrorResponse()`.
 */
import {
  authorizationFromRawHeaders,
  createVerifier,
  M2MConfigError,
  resolveVerifierOptions,
} from '@m2m-auth/core'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { FastifyM2MError } from './errors.js'
import type { M2MAuthDecorator, M2MAuthOptions, M2MRouteOptions } from './types.js'

export type { VerifiedM2MToken } from '@m2m-auth/core'
export { FastifyM2MError, type FastifyM2MErrorCode } from './errors.js'
export type { M2MAuthDecorator, M2MAuthHook, M2MAuthOptions, M2MRouteOptions } from './types.js'

/** What one route requires, resolved once from the plugin options and the route's settings. */
interface Rule {
  scopes: readonly string[]
  optional: boolean
}

const plugin: FastifyPluginAsync<M2MAuthOptions> = async (fastify, options) => {
  const { scope, optional = false, realm = 'api', global = true, ...verifierOptions } = options
  // Throws M2MConfigError (naming `secretKey` and the variables) here, so `register` rejects.
  const verifier = createVerifier(resolveVerifierOptions(verifierOptions, process.env))
  const base: Rule = { scopes: toList(scope), optional }
  const routeRules = new WeakMap<M2MRouteOptions, Rule>()

  async function authenticate(request: FastifyRequest, reply: FastifyReply, rule: Rule) {
    try {
      const header = authorizationFromRawHeaders(request.raw.rawHeaders)
      request.m2m = await verifier.authenticate(header, { scopes: rule.scopes, optional: rule.optional })
    } catch (cause) {
      const error = new FastifyM2MError(cause, realm)
      // The app chose to render errors itself: Fastify routes a thrown error to its handler.
      if (hasCustomErrorHandler(request)) throw error
      // As Fastify's default handler would: server-side outcomes are logged, client mistakes are not.
      if (error.statusCode >= 500) request.log.error({ err: cause }, error.message)
      // A string body is sent as is: a route's response schema cannot reshape the RFC 6750 answer.
      // Returning the reply (a thenable) makes Fastify wait for the answer and skip the rest.
      return reply.code(error.statusCode).headers(error.headers).send(JSON.stringify(error.body))
    }
  }

  function ruleFor(settings: M2MRouteOptions | false | undefined): Rule | null {
    if (settings === false) return null
    if (settings === undefined) return base
    let rule = routeRules.get(settings)
    if (rule === undefined) {
      rule = merge(base, settings)
      routeRules.set(settings, rule)
    }
    return rule
  }

  if (!fastify.hasRequestDecorator('m2m')) fastify.decorateRequest('m2m', null)
  const decorator: M2MAuthDecorator = {
    require(settings = {}) {
      const rule = merge(base, settings)
      return async function m2mAuthRequire(request, reply) {
        return authenticate(request, reply, rule)
      }
    },
    verifier,
  }
  fastify.decorate('m2mAuth', decorator)

  if (global) {
    fastify.addHook('onRequest', async function m2mAuthOnRequest(request, reply) {
      const rule = ruleFor(request.routeOptions.config?.m2m)
      if (rule !== null) return authenticate(request, reply, rule)
    })
  }
}

function toList(scope: string | readonly string[] | undefined): readonly string[] {
  if (scope === undefined) return []
  const list = typeof scope === 'string' ? [scope] : [...scope]
  if (!list.every((s) => typeof s === 'string' && s !== '')) {
    throw new M2MConfigError('scope', 'scope must be a machine id (mch_...) or an array of them')
  }
  return list
}

function merge(base: Rule, settings: M2MRouteOptions): Rule {
  const scopes = [...new Set([...base.scopes, ...toList(settings.scope)])]
  return { scopes, optional: settings.optional ?? base.optional }
}

/**
 * Whether the route's context has an error handler installed with `setErrorHandler()`. Fastify's
 * built-in one is a plain function named `defaultErrorHandler`; installed ones are bound copies.
 */
function hasCustomErrorHandler(request: FastifyRequest): boolean {
  return request.server.errorHandler.name !== 'defaultErrorHandler'
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
