import type { VerifiedM2MToken } from '@m2m-auth/core'
import type { Request } from 'express'
import { describe, expectTypeOf, it } from 'vitest'
import {
  getM2MAuth,
  type M2MAuth,
  type M2MAuthOptions,
  type M2MClaims,
  m2mAuth,
  requireScopes,
} from '../src/index.js'

// What a user writes once to type their custom claims everywhere.
declare module '../src/types.js' {
  interface M2MClaims {
    tenant?: string
  }
}

describe('types', () => {
  it('types req.m2m through declaration merging: the token, null (optional mode) or undefined', () => {
    expectTypeOf<Request['m2m']>().toEqualTypeOf<VerifiedM2MToken<M2MClaims> | null | undefined>()
  })

  it('types custom claims from the user-augmented M2MClaims', () => {
    expectTypeOf<NonNullable<M2MAuth['claims']>['tenant']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<NonNullable<M2MAuth['claims']>['other']>().toEqualTypeOf<unknown>()
  })

  it('narrows away undefined with getM2MAuth(req)', () => {
    expectTypeOf(getM2MAuth).parameter(0).toEqualTypeOf<Request>()
    expectTypeOf(getM2MAuth).returns.toEqualTypeOf<M2MAuth | null>()
  })

  it('returns plain Express request handlers', () => {
    expectTypeOf(m2mAuth).returns.toBeFunction()
    expectTypeOf(requireScopes).parameters.toEqualTypeOf<string[]>()
    expectTypeOf<M2MAuthOptions['errorHandling']>().toEqualTypeOf<'respond' | 'next' | undefined>()
  })
})
