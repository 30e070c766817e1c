/** The verifier's public types: what adapters and applications get from each call. */
import { describe, expectTypeOf, it } from 'vitest'
import {
  type AuthenticateOptions,
  type CacheStore,
  createVerifier,
  resolveVerifierOptions,
  type VerifiedM2MToken,
  type Verifier,
  type VerifierStats,
} from '../src/index.js'

describe('public types', () => {
  it('authenticate resolves null only when the call may be optional', () => {
    const verifier: Verifier = createVerifier({ secretKey: 'ak_types_only' })
    // Real calls (they reject: no token service here); only their types matter.
    expectTypeOf(quiet(verifier.verify('t'))).resolves.toEqualTypeOf<VerifiedM2MToken>()
    expectTypeOf(quiet(verifier.authenticate('Bearer t'))).resolves.toEqualTypeOf<VerifiedM2MToken>()
    const scoped = quiet(verifier.authenticate('Bearer t', { scope: ['mch_x'] }))
    expectTypeOf(scoped).resolves.toEqualTypeOf<VerifiedM2MToken>()
    const optional = quiet(verifier.authenticate(null, { optional: true }))
    expectTypeOf(optional).resolves.toEqualTypeOf<VerifiedM2MToken | null>()
    const options: AuthenticateOptions = {}
    expectTypeOf(
      quiet(verifier.authenticate(undefined, options)),
    ).resolves.toEqualTypeOf<VerifiedM2MToken | null>()
    expectTypeOf(verifier.stats()).toEqualTypeOf<VerifierStats>()
  })

  it('resolveVerifierOptions keeps the adapter options type and makes secretKey required', () => {
    // Adapter option types declare secretKey?/apiUrl? themselves (the constraint is a weak type).
    const adapterOptions: { realm: string; secretKey?: string } = { realm: 'api' }
    const resolved = resolveVerifierOptions(adapterOptions, { CLERK_SECRET_KEY: 'sk_test_x' })
    expectTypeOf(resolved.secretKey).toEqualTypeOf<string>()
    expectTypeOf(resolved.realm).toEqualTypeOf<string>()
  })

  it('a CacheStore may answer synchronously or with promises', () => {
    expectTypeOf<{
      get: () => undefined
      set: () => void
      delete: () => Promise<void>
    }>().toExtend<CacheStore>()
  })
})

function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined)
  return promise
}
