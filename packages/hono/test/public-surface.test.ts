import type { VerifiedM2MToken } from '@m2m-auth/core'
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { describe, expect, expectTypeOf, it } from 'vitest'
import * as hono from '../src/index.js'
import { type M2MAuthOptions, type M2MEnv, type M2MVariables, m2mAuth, requireScopes } from '../src/index.js'

// The type checks run under `tsc --noEmit` (this file is in the package's tsconfig).

// What a user writes once to type custom claims in every adapter: core's one interface.
declare module '@m2m-auth/core' {
  interface M2MClaims {
    tenant?: string
  }
}
const options: M2MAuthOptions = { secretKey: 'ak_x', apiUrl: 'http://127.0.0.1:1' }

describe('types', () => {
  it('types c.var.m2m and c.get("m2m") on routes behind the middleware, with no global augmentation', () => {
    new Hono().use(m2mAuth(options)).get('/', (c) => {
      expectTypeOf(c.var.m2m).toEqualTypeOf<VerifiedM2MToken | null>()
      expectTypeOf(c.get('m2m')).toEqualTypeOf<VerifiedM2MToken | null>()
      return c.text('ok')
    })
    new Hono().get('/', m2mAuth(options), (c) => {
      expectTypeOf(c.var.m2m).toEqualTypeOf<VerifiedM2MToken | null>()
      return c.text('ok')
    })
  })

  it('does not leak the variable into apps that never use the middleware', () => {
    new Hono().get('/', (c) => {
      // @ts-expect-error: no `m2m` variable without m2mAuth()
      c.get('m2m')
      return c.text('ok')
    })
  })

  it("types custom claims through core's augmentable M2MClaims, by default", () => {
    new Hono().use(m2mAuth(options)).get('/', (c) => {
      expectTypeOf(c.var.m2m?.claims?.tenant).toEqualTypeOf<string | undefined>()
      expectTypeOf(c.var.m2m?.claims?.other).toEqualTypeOf<unknown>()
      return c.text('ok')
    })
  })

  it('types custom claims through the generic parameter', () => {
    new Hono().use(m2mAuth<{ tenant: string }>(options)).get('/', (c) => {
      expectTypeOf(c.var.m2m?.claims).toEqualTypeOf<{ tenant: string } | null | undefined>()
      return c.text('ok')
    })
  })

  it('exports the middleware types for apps that type their Hono instance once', () => {
    expectTypeOf(m2mAuth(options)).toExtend<MiddlewareHandler<M2MEnv>>()
    expectTypeOf(requireScopes).returns.toEqualTypeOf<MiddlewareHandler<M2MEnv>>()
    expectTypeOf<M2MEnv>().toEqualTypeOf<{ Variables: M2MVariables }>()
    new Hono<{ Variables: M2MVariables }>().get('/', requireScopes('mch_x'), (c) => {
      expectTypeOf(c.var.m2m).toEqualTypeOf<VerifiedM2MToken | null>()
      return c.text('ok')
    })
  })

  it('accepts every verifier option plus the shared adapter options', () => {
    expectTypeOf<M2MAuthOptions>().toHaveProperty('timeoutMs')
    expectTypeOf<M2MAuthOptions>().toHaveProperty('singleFlight')
    expectTypeOf<M2MAuthOptions>().toHaveProperty('verifier')
    expectTypeOf<M2MAuthOptions['scope']>().toEqualTypeOf<string | readonly string[] | undefined>()
    expectTypeOf<Parameters<NonNullable<M2MAuthOptions['authorize']>>[1]>().toEqualTypeOf<Context>()
    // @ts-expect-error the option is `scope`, as in every adapter
    const wrong: M2MAuthOptions = { scopes: ['mch_a'] }
    expectTypeOf(wrong).not.toBeAny()
    expectTypeOf<M2MAuthOptions['optional']>().toEqualTypeOf<boolean | undefined>()
    expectTypeOf<M2MAuthOptions['realm']>().toEqualTypeOf<string | undefined>()
  })
})

describe('runtime exports', () => {
  it('exports exactly the documented runtime values', () => {
    expect(Object.keys(hono).sort()).toEqual(['AuthError', 'm2mAuth', 'requireM2M', 'requireScopes'])
  })

  it('returns named async middleware functions (as Hono built-ins do), visible in stack traces', () => {
    expect(hono.m2mAuth({ secretKey: 'ak_x', apiUrl: 'http://127.0.0.1:1' }).name).toBe('m2mAuth')
    expect(hono.requireScopes('mch_x').name).toBe('requireM2M')
  })
})
