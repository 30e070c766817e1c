/**
 * A failing token service: the source rides on the current token until its hard window, backing off
 * (with jitter) between create attempts, then rejects with the client's error; a refused key says
 * so without the key. Faults come from the emulator; the clock is shared and moved by hand.
 */
import { M2MApiError, M2MKeyRejectedError, M2MNetworkError } from '@m2m-auth/core'
import { afterEach, describe, expect, it } from 'vitest'
import { MINUTE, type SourceHarness, sourceHarness, until } from './support.js'

let h: SourceHarness
afterEach(() => h?.close())

const LIFETIME_MS = 60 * MINUTE
const failures = () => h.source.stats().createFailures

describe('createTokenSource on a failing token service', () => {
  it('serves the current token until its hard window, then rejects with the client error', async () => {
    h = await sourceHarness()
    const current = await h.source.getToken()
    h.emulator.setFaults({ errorRate: 1, errorStatus: 503, routes: ['create'] })
    h.clock.advance(LIFETIME_MS - 4 * MINUTE) // soft window
    expect(await h.source.getToken()).toBe(current)
    await until(() => failures() === 1, 'the failed background create')
    // Within the backoff: served from memory, no call.
    expect(await h.source.getToken()).toBe(current)
    expect(h.creates()).toBe(2)
    // After the backoff (at most 1 s after a first failure): one more attempt, still riding.
    h.clock.advance(1000)
    expect(await h.source.getToken()).toBe(current)
    await until(() => failures() === 2, 'the second failed create')
    expect(h.creates()).toBe(3)
    expect(h.events.some((e) => e.type === 'served_stale')).toBe(true)

    h.clock.advance(4 * MINUTE - 10_000) // hard window
    const error = await h.source.getToken().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(M2MApiError)
    expect(error).toMatchObject({ status: 503 })
    // Backing off: rejected at once with the same error, without a call.
    await expect(h.source.getToken()).rejects.toBe(error)
    expect(h.creates()).toBe(4)
    expect(h.source.stats()).toMatchObject({ rejections: 2, createFailures: 3 })

    h.emulator.setFaults({})
    h.clock.advance(5000) // past the third backoff (at most 4 s)
    const fresh = await h.source.getToken()
    expect(fresh).not.toBe(current)
    const text = h.logged.join('\n')
    expect(text).toMatch(/could not create an M2M token/)
    expect(text).not.toContain(current)
    expect(text).not.toContain(h.emulator.machines[0]!.secretKey)
  })

  it('spaces attempts by the jittered backoff, doubling per failure', async () => {
    h = await sourceHarness()
    h.emulator.setFaults({ errorRate: 1, routes: ['create'] })
    for (let failure = 1; failure <= 4; failure++) {
      await expect(h.source.getToken()).rejects.toBeInstanceOf(M2MApiError)
      const ceiling = 1000 * 2 ** (failure - 1)
      const { retryInMs } = h.events.filter((e) => e.type === 'create_failed').at(-1)!
      expect(retryInMs).toBeGreaterThanOrEqual(ceiling / 2)
      expect(retryInMs).toBeLessThanOrEqual(ceiling)
      h.clock.advance(ceiling / 2 - 1)
      await expect(h.source.getToken()).rejects.toBeInstanceOf(M2MApiError)
      expect(h.creates()).toBe(failure) // still backing off: no call
      h.clock.advance(ceiling / 2 + 1)
    }
  })

  it("waits at least the server's Retry-After before the next attempt", async () => {
    h = await sourceHarness()
    h.emulator.setFaults({ rateLimitRate: 1, retryAfterSeconds: 30, routes: ['create'] })
    await expect(h.source.getToken()).rejects.toMatchObject({ status: 429 })
    expect(h.events.find((e) => e.type === 'create_failed')?.retryInMs).toBeGreaterThanOrEqual(30_000)
    h.clock.advance(20_000)
    await expect(h.source.getToken()).rejects.toMatchObject({ status: 429 })
    expect(h.creates()).toBe(1)
    h.clock.advance(10_000)
    h.emulator.setFaults({})
    await expect(h.source.getToken()).resolves.toMatch(/^mt_/)
    expect(h.creates()).toBe(2)
  })

  it('gives up a create call after timeoutMs', async () => {
    h = await sourceHarness({ timeoutMs: 200 })
    h.emulator.setFaults({ hangRate: 1, routes: ['create'] })
    await expect(h.source.getToken()).rejects.toMatchObject({ code: 'm2m_network_error', timedOut: true })
  })

  it('rejects with a network error when the token service cannot be reached', async () => {
    h = await sourceHarness()
    h.emulator.setFaults({ resetRate: 1, routes: ['create'] })
    await expect(h.source.getToken()).rejects.toBeInstanceOf(M2MNetworkError)
  })

  it('says that Clerk refused the key, without the key, and logs it once', async () => {
    const refusedKey = 'ak_refused_0123456789abcdef'
    h = await sourceHarness({ secretKey: refusedKey })
    const error = await h.source.getToken().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(M2MKeyRejectedError)
    expect(error).toBeInstanceOf(M2MApiError)
    expect(error).toMatchObject({ status: 401 })
    expect((error as Error).message).toMatch(/refused this token source's Machine Secret Key \(HTTP 401\)/)
    expect((error as Error).message).toMatch(/CLERK_MACHINE_SECRET_KEY/)
    h.clock.advance(5000)
    await expect(h.source.getToken()).rejects.toBeInstanceOf(M2MKeyRejectedError)
    expect(h.logged).toHaveLength(1)
    expect(JSON.stringify([h.logged, h.events, (error as Error).message])).not.toContain(refusedKey)
  })
})
