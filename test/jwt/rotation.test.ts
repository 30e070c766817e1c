/**
 * Signing key rotation through the emulator, seen by a verifier that fetches the JWKS with the
 * instance key. What is asserted is what `createJwtVerifier` documents: the key set is refetched
 * when it is older than `jwt.maxAgeMs` (default 10 min), and a `kid` missing from it triggers at
 * most one refetch per `jwt.cooldownMs` (default 30 s), shared by every concurrent caller.
 * JWKS requests are counted by the emulator (`stats().byRoute.jwks`).
 */
import { InvalidTokenError } from '@m2m-auth/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type JwtFixture, kidOf, rotateOverHttp, startJwtFixture } from './support/fixture.js'

const COOLDOWN_MS = 30_000
const MAX_AGE_MS = 600_000
/** Real time also passes (RSA key generation on a busy machine): windows are probed this far inside. */
const MARGIN_MS = 10_000

let fx: JwtFixture
beforeEach(async () => {
  fx = await startJwtFixture()
})
afterEach(() => fx.close())

describe('rotation with the old key kept (keepOld: true)', () => {
  it('old tokens keep working and the first new-kid token costs exactly one refetch', async () => {
    const verifier = fx.verifier({ cache: false }) // every call goes to the key set
    const old = await fx.issueJwt()
    await expect(verifier.verify(old)).resolves.toMatchObject({ format: 'jwt' })
    expect(fx.jwksRequests()).toBe(1)

    const { kid } = await fx.emulator.rotateJwtKey({ keepOld: true })
    fx.clock.advance(COOLDOWN_MS + 1)
    const fresh = await fx.issueJwt()
    expect(kidOf(fresh)).toBe(kid)
    expect(kidOf(old)).not.toBe(kid)

    await expect(verifier.verify(old)).resolves.toMatchObject({ subject: fx.sender.id })
    expect(fx.jwksRequests(), 'a known kid needs no refetch').toBe(1)
    await expect(verifier.verify(fresh)).resolves.toMatchObject({ subject: fx.sender.id })
    expect(fx.jwksRequests(), 'the new kid: one refetch').toBe(2)
    for (const token of [old, fresh, await fx.issueJwt(), old]) {
      await expect(verifier.verify(token)).resolves.toMatchObject({ format: 'jwt' })
    }
    expect(fx.jwksRequests(), 'both keys are now held').toBe(2)
  })

  it('concurrent verifications of new-kid tokens share one refetch', async () => {
    const verifier = fx.verifier({ cache: false })
    await verifier.verify(await fx.issueJwt())
    await fx.emulator.rotateJwtKey({ keepOld: true })
    fx.clock.advance(COOLDOWN_MS + 1)
    const tokens = await Promise.all(Array.from({ length: 20 }, () => fx.issueJwt()))

    const results = await Promise.all(tokens.map((token) => verifier.verify(token)))
    expect(results.map((r) => r.format)).toEqual(tokens.map(() => 'jwt'))
    expect(fx.jwksRequests()).toBe(2)
  })

  it('within the cooldown after a fetch, a new kid is refused without a request, then accepted', async () => {
    const verifier = fx.verifier({ cache: false })
    await verifier.verify(await fx.issueJwt())
    await fx.emulator.rotateJwtKey({ keepOld: true })
    const fresh = await fx.issueJwt()

    fx.clock.advance(COOLDOWN_MS - MARGIN_MS)
    const refused = await verifier.verify(fresh).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(InvalidTokenError)
    expect((refused as InvalidTokenError).cause).toMatchObject({ description: 'unknown key id' })
    expect(fx.jwksRequests(), 'an unknown kid alone cannot make us hammer the JWKS').toBe(1)

    fx.clock.advance(MARGIN_MS)
    await expect(verifier.verify(fresh)).resolves.toMatchObject({ format: 'jwt' })
    expect(fx.jwksRequests()).toBe(2)
  })
})

describe('rotation with the old key dropped (keepOld: false)', () => {
  it('old tokens pass until the key set is refetched at maxAgeMs, then fail; new ones pass', async () => {
    const verifier = fx.verifier({ cache: false })
    const old = await fx.issueJwt()
    await verifier.verify(old)
    await rotateOverHttp(fx.emulator, false)
    const fresh = await fx.issueJwt()

    fx.clock.advance(MAX_AGE_MS - MARGIN_MS)
    await expect(verifier.verify(old), 'the held key set still has the old key').resolves.toBeDefined()
    expect(fx.jwksRequests()).toBe(1)

    fx.clock.advance(MARGIN_MS)
    const refused = await verifier.verify(old).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(InvalidTokenError)
    expect(refused).toMatchObject({ status: 401, code: 'invalid_token' })
    expect(fx.jwksRequests(), 'the age-based refetch, and no second one for the unknown kid').toBe(2)
    await expect(verifier.verify(fresh)).resolves.toMatchObject({ format: 'jwt' })
    expect(fx.jwksRequests()).toBe(2)
  })

  it('once a new kid brings the new key set, old tokens fail as soon as their cache entry expires', async () => {
    const ttlMs = 10_000
    const verifier = fx.verifier({ cache: { ttlMs }, jwt: { cooldownMs: 1_000 } })
    const old = await fx.issueJwt()
    await verifier.verify(old) // cached for ttlMs
    await fx.emulator.rotateJwtKey({ keepOld: false })

    fx.clock.advance(1_001)
    await expect(verifier.verify(await fx.issueJwt())).resolves.toBeDefined()
    expect(fx.jwksRequests(), 'the new kid refetched the key set, which lacks the old key').toBe(2)
    await expect(verifier.verify(old), 'still a fresh cache entry').resolves.toBeDefined()
    expect(verifier.stats().hits).toBe(1)

    fx.clock.advance(ttlMs)
    await expect(verifier.verify(old)).rejects.toMatchObject({ status: 401, code: 'invalid_token' })
  })
})
