/**
 * Type-level guarantees, checked by `tsc --noEmit -p tsconfig.json` (the package typecheck); this
 * file is never run, so the app below is never started.
 */
import type { VerifiedM2MToken } from '@m2m-auth/core'
import Fastify, {
  type FastifyContextConfig,
  type FastifyPluginAsync,
  type FastifyRequest,
  type onRequestHookHandler,
} from 'fastify'
import { expectTypeOf } from 'vitest'

// Custom claims are typed through core's one augmentable interface: no redeclaration of
// `request.m2m` (which failed with TS2717), the same augmentation types every adapter.
declare module '@m2m-auth/core' {
  interface M2MClaims {
    tenant?: string
  }
}

import m2mAuthDefault, {
  type FastifyM2MError,
  type M2MAuthHook,
  type M2MAuthOptions,
  type M2MRouteOptions,
  m2mAuth,
} from '../src/index.js'

export function declaresRequestM2mRouteConfigDecoratorAndOptions(): void {
  const app = Fastify()
  expectTypeOf(m2mAuthDefault).toEqualTypeOf(m2mAuth)
  expectTypeOf(m2mAuth).toExtend<FastifyPluginAsync<M2MAuthOptions>>()

  app.get('/orders', async (request) => {
    expectTypeOf(request.m2m).toEqualTypeOf<VerifiedM2MToken | null>()
    expectTypeOf(request.m2m?.subject).toEqualTypeOf<string | undefined>()
    expectTypeOf(request.m2m?.claims?.tenant).toEqualTypeOf<string | undefined>()
    expectTypeOf(request.m2m?.claims?.other).toEqualTypeOf<unknown>()
    return {}
  })
  app.get('/health', { config: { m2m: false } }, async () => ({}))
  app.get('/stock', { config: { m2m: { scope: ['mch_a'], optional: true } } }, async () => ({}))
  app.post(
    '/refunds',
    {
      config: {
        m2m: {
          callers: ['mch_billing'],
          authorize: async (token, request) => {
            expectTypeOf(request).toEqualTypeOf<FastifyRequest>()
            return token.claims?.tenant === 'acme'
          },
        },
      },
    },
    async () => ({}),
  )
  expectTypeOf<FastifyContextConfig['m2m']>().toEqualTypeOf<M2MRouteOptions | false | undefined>()

  expectTypeOf(app.m2mAuth.require).returns.toEqualTypeOf<M2MAuthHook>()
  expectTypeOf<M2MAuthHook>().toExtend<onRequestHookHandler>()
  app.post<{ Body: { quantity: number } }>(
    '/orders',
    { onRequest: app.m2mAuth.require({ scope: 'mch_a' }), preHandler: app.m2mAuth.require() },
    async (request) => request.body.quantity,
  )

  expectTypeOf<M2MAuthOptions>().toHaveProperty('secretKey').toEqualTypeOf<string | undefined>()
  expectTypeOf<M2MAuthOptions['scope']>().toEqualTypeOf<string | readonly string[] | undefined>()
  const options: M2MAuthOptions = {
    scope: 'mch_a',
    optional: true,
    realm: 'api',
    global: false,
    timeoutMs: 1,
    callers: 'mch_b',
    errorHandling: 'throw',
    logger: console,
  }
  expectTypeOf(options).toExtend<M2MAuthOptions>()
  // @ts-expect-error unknown options are refused
  const wrong: M2MAuthOptions = { scopes: ['mch_a'] }
  expectTypeOf(wrong).not.toBeAny()

  expectTypeOf<FastifyM2MError['code']>().toEqualTypeOf<
    | 'FST_M2M_UNAUTHORIZED'
    | 'FST_M2M_INVALID_REQUEST'
    | 'FST_M2M_INVALID_TOKEN'
    | 'FST_M2M_INSUFFICIENT_SCOPE'
    | 'FST_M2M_UNAVAILABLE'
    | 'FST_M2M_SERVER_ERROR'
  >()
  expectTypeOf<FastifyM2MError['statusCode']>().toEqualTypeOf<number>()
}
