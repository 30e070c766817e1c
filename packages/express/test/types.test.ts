import type { VerifiedM2MToken } from '@m2m-auth/core'
import type { Request } from 'express'
import { describe, expectTypeOf, it } from 'vitest'
import {
  getM2MAuth,
  type M2MAuth,
  type M2MAuthOptions,
  type M2MClaims,
  m2mAuth,
  requireM2M,
  requireScopes,
} from '../src/index.js'

// What a user writes once to type their custom claims everywhere: core's one interface.
declare module '@m2m-auth/core' {
  interface M2MClaims {
    tenant?: string
  }
}

describe('types', () => {
  it('types req.m2m through declaration merging: the token, null (optional mode) or undefined', () => {
    expectTypeOf<Request['m2m']>().toEqualTypeOf<VerifiedM2MToken<M2MClaims> | null | undefined>()
  })

  it("types custom claims from core's user-augmented M2MClaims", () => {
    expectTypeOf<NonNullable<M2MAuth['claims']>['tenant']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<NonNullable<M2MAuth['claims']>['other']>().toEqualTypeOf<unknown>()
    expectTypeOf<NonNullable<NonNullable<Request['m2m']>['claims']>['tenant']>().toEqualTypeOf<
      string | undefined
    >()
  })

  it('narrows away undefined with getM2MAuth(req)', () => {
    expectTypeOf(getM2MAuth).parameter(0).toEqualTypeOf<Request>()
    expectTypeOf(getM2MAuth).returns.toEqualTypeOf<M2MAuth | null>()
  })

  it('returns plain Express request handlers and types the authorize hook with Express req', () => {
    expectTypeOf(m2mAuth).returns.toBeFunction()
    expectTypeOf(requireScopes).parameters.toEqualTypeOf<string[]>()
    expectTypeOf<M2MAuthOptions['errorHandling']>().toEqualTypeOf<'respond' | 'next' | undefined>()
    expectTypeOf<M2MAuthOptions['scope']>().toEqualTypeOf<string | readonly string[] | undefined>()
    expectTypeOf<Parameters<NonNullable<M2MAuthOptions['authorize']>>[1]>().toEqualTypeOf<Request>()
    expectTypeOf(requireM2M).parameter(0).toHaveProperty('callers')
    // @ts-expect-error the option is `scope`, as in every adapter
    const wrong: M2MAuthOptions = { scopes: ['mch_a'] }
    expectTypeOf(wrong).not.toBeAny()
  })
})
