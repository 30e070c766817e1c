/**
 * Refresh ahead of expiry: in the soft window callers get the current token at once while one
 * background create replaces it; in the hard window they wait for the new token. The emulator and
 * the source share a test clock; the emulator's latency keeps the background create in flight.
 */
import { afterEach, describe, expect, it } from 'vitest'
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
})
