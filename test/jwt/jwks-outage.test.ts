/**
 * The JWKS failing after keys were fetched: the held key set keeps JWT verification going (stale
 * while error, key set only, documented on `jwt.maxAgeMs`), with one attempt per cooldown instead
 * of one per request; without any held key the answer is 503, and our key being rejected is 500.
 * Faults come from the emulator (real HTTP over loopback), JWKS requests are counted by it.
 */
import { TokenServiceUnavailableError } from '@m2m-auth/core'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { type JwtFixture, startJwtFixture } from './support/fixture.js'

const COOLDOWN_MS = 30_000
const MAX_AGE_MS = 600_000

let fx: JwtFixture
beforeEach(async () => {
  fx = await startJwtFixture()
})
afterEach(() => fx.close())

it('a stale key set is kept while the JWKS fails, and retried once per cooldown', async () => {
  const verifier = fx.verifier({ cache: false })
  await verifier.verify(await fx.issueJwt())
  const token = await fx.issueJwt()
  fx.emulator.setFaults({ errorRate: 1, errorStatus: 503, routes: ['jwks'] })

  fx.clock.advance(MAX_AGE_MS + 1)
  await expect(verifier.verify(token)).resolves.toMatchObject({ format: 'jwt' })
  expect(fx.jwksRequests(), 'one refetch attempt, which failed').toBe(2)

  fx.clock.advance(COOLDOWN_MS - 10_000) // real time passes too: probe well inside the window
  for (let i = 0; i < 5; i++) await expect(verifier.verify(token)).resolves.toBeDefined()
  expect(fx.jwksRequests(), 'no new attempt within the cooldown').toBe(2)

  fx.clock.advance(10_000)
  await expect(verifier.verify(token)).resolves.toBeDefined()
  expect(fx.jwksRequests(), 'the next attempt after the cooldown').toBe(3)

  fx.emulator.setFaults({})
  fx.clock.advance(COOLDOWN_MS)
  await expect(verifier.verify(token)).resolves.toBeDefined()
  expect(fx.jwksRequests()).toBe(4)
  fx.clock.advance(COOLDOWN_MS)
  await expect(verifier.verify(token)).resolves.toBeDefined()
  expect(fx.jwksRequests(), 'recovered: the key set is fresh again').toBe(4)
})

it('with no key held, a failing JWKS is 503 with no cached outcome: the next request retries', async () => {
  const verifier = fx.verifier() // default cache: a transient failure must not be cached
  const token = await fx.issueJwt()
  fx.emulator.setFaults({ resetRate: 1, routes: ['jwks'] })

  const error = await verifier.verify(token).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(TokenServiceUnavailableError)
  expect(error).toMatchObject({ status: 503, code: 'temporarily_unavailable', retryAfterSeconds: 1 })
  expect(verifier.stats()).toMatchObject({ negativeSize: 0, size: 0, errors: 1 })

  fx.emulator.setFaults({})
  await expect(verifier.verify(token)).resolves.toMatchObject({ subject: fx.sender.id })
  expect(fx.jwksRequests()).toBe(2)
})

it('a JWKS that rejects our key is 500 server_error, logged once without the key', async () => {
  const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined)
  try {
    const wrongKey = 'sk_test_notakeyofthisinstance0000000000'
    const verifier = fx.verifier({ secretKey: wrongKey })
    for (let i = 0; i < 3; i++) {
      await expect(verifier.verify(await fx.issueJwt())).rejects.toMatchObject({
        status: 500,
        code: 'server_error',
      })
    }
    expect(logged).toHaveBeenCalledTimes(1)
    const line = logged.mock.calls[0]!.map(String).join(' ')
    expect(line).toMatch(/JWKS/)
    expect(line).not.toContain(wrongKey)
  } finally {
    logged.mockRestore()
  }
})
