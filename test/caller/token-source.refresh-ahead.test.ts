/**
 * Refresh ahead of expiry: in the soft window callers get the current token at once while one
 * background create replaces it; in the hard window they wait for the new token. The emulator and
 * the source share a test clock; the emulator's latency keeps the background create in flight.
 */
import { createTokenSource, M2MValidationError } from '@m2m-auth/core'
import { afterEach, describe, expect, it } from 'vitest'
import { loopbackFetch } from '../helpers/http.js'
import { MINUTE, type SourceHarness, sourceHarness, until } from './support.js'

let h: SourceHarness
afterEach(() => h?.close())

const LIFETIME_MS = 60 * MINUTE // the default secondsUntilExpiration (3600)
const created = () => h.events.filter((e) => e.type === 'created').length

describe('createTokenSource refreshes ahead of expiry', () => {
  it('answers at once in the soft window while one background create runs', async () => {
    h = await sourceHarness()
    const first = await h.source.getToken()
    h.clock.advance(LIFETIME_MS - 4 * MINUTE) // soft window: 5 minutes before expiry by default
    h.emulator.setLatency(300)
    const answers = await Promise.all(Array.from({ length: 100 }, () => h.source.getToken()))
    expect(new Set(answers)).toEqual(new Set([first]))
    // Every caller was answered while the one background create was still in flight.
    expect(h.source.stats()).toMatchObject({ creates: 2, waits: 1, hits: 100 }) // the wait: the first call
    expect(created()).toBe(1)
    expect(h.events.filter((e) => e.type === 'create').map((e) => e.reason)).toEqual(['initial', 'refresh'])
    await until(() => created() === 2, 'the background create')
    const second = await h.source.getToken()
    expect(second).not.toBe(first)
    expect(h.creates()).toBe(2)
  })

  it('makes callers wait for the new token in the hard window', async () => {
    h = await sourceHarness()
    const first = await h.source.getToken()
    h.clock.advance(LIFETIME_MS - 10_000) // hard window: 30 s before expiry by default
    h.emulator.setLatency(50)
    const answers = await Promise.all(Array.from({ length: 20 }, () => h.source.getToken()))
    expect(new Set(answers).size).toBe(1)
    expect(answers[0]).not.toBe(first)
    expect(h.creates()).toBe(2)
    expect(h.source.stats()).toMatchObject({ waits: 21, hits: 0 })
    expect(h.events.filter((e) => e.type === 'create').at(-1)?.reason).toBe('expired')
  })

  it('keeps both windows inside short lifetimes, so a token is used for half its life', async () => {
    h = await sourceHarness({ secondsUntilExpiration: 60 })
    const first = await h.source.getToken()
    h.clock.advance(29_000) // before half-life: still the hot path, although refreshBeforeMs is 5 min
    expect(await h.source.getToken()).toBe(first)
    expect(h.creates()).toBe(1)
    h.clock.advance(2000)
    expect(await h.source.getToken()).toBe(first) // soft window (last 30 s): served, refresh started
    await until(() => created() === 2, 'the background create')
    expect(await h.source.getToken()).not.toBe(first)
  })

  it('reports the expiry of the held token on the source clock', async () => {
    h = await sourceHarness({ secondsUntilExpiration: 120 })
    const before = h.clock.now()
    await h.source.getToken()
    const { expiresAt } = h.source.stats()
    expect(expiresAt).toBeGreaterThanOrEqual(before + 120_000)
    expect(expiresAt).toBeLessThanOrEqual(h.clock.now() + 120_000)
  })

  it("counts a fresh token's lifetime on its own clock, whatever the skew to Clerk's", async () => {
    h = await sourceHarness()
    // This process's clock is two hours ahead of the token service's: by Clerk's `expiration`
    // the token would be expired on arrival; by its granted lifetime it has an hour left.
    const ahead = () => h.clock.now() + 120 * MINUTE
    const source = createTokenSource({
      secretKey: h.emulator.machines[0]!.secretKey,
      apiUrl: h.emulator.url,
      fetch: loopbackFetch,
      now: ahead,
    })
    const sentAt = ahead()
    const token = await source.getToken()
    expect(await source.getToken()).toBe(token)
    expect(source.stats().expiresAt).toBeGreaterThanOrEqual(sentAt + LIFETIME_MS - 1000)
    expect(h.creates()).toBe(1)
  })

  it('ends a token reused through minRemainingTtlSeconds at its own expiration', async () => {
    h = await sourceHarness({ minRemainingTtlSeconds: 600 })
    await h.source.getToken()
    const firstExpiry = h.source.stats().expiresAt!
    h.clock.advance(30 * MINUTE)
    const later = createTokenSource({
      secretKey: h.emulator.machines[0]!.secretKey,
      apiUrl: h.emulator.url,
      fetch: loopbackFetch,
      now: h.clock.now,
      minRemainingTtlSeconds: 600,
    })
    expect(await later.getToken()).toBe(await h.source.getToken()) // Clerk reused it
    // Not 30 minutes later: the reused token ends when it ends (within the request's few ms).
    expect(Math.abs(later.stats().expiresAt! - firstExpiry)).toBeLessThan(1000)
  })

  it('refuses a misspelt getToken option instead of ignoring it', async () => {
    h = await sourceHarness()
    const typo = { forceRefesh: true } as never
    await expect(h.source.getToken(typo)).rejects.toBeInstanceOf(M2MValidationError)
    expect(h.creates()).toBe(0)
  })
})
