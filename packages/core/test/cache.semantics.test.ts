/**
 * design.md "Cache semantics", checked against a loopback fake of Clerk with a fake clock: TTL capped
 * at expiration, a separate negative LRU, transient failures never cached, single-flight,
 * invalidate(), and opt-in stale-if-error.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { InvalidTokenError, TokenServiceUnavailableError } from '../src/index.js'
import { type Harness, harness, opaqueToken, rejectionOf, T0, validReply } from './verifier.fixtures.js'

const GOOD = opaqueToken(1)
const UNAVAILABLE = { status: 503, body: { errors: [{ code: 'unavailable', message: 'down' }] } }

let h: Harness
afterEach(() => h?.close())

describe('positive cache', () => {
  it('answers a repeated verification from the cache within ttlMs', async () => {
    // Refresh ahead off: this is the plain fresh window (refresh.test.ts covers the last 20% of it).
    h = await harness({ cache: { ttlMs: 5000, refreshAheadRatio: 0 } })
    h.replies.set(GOOD, validReply())
    const first = await h.verifier.verify(GOOD)
    h.clock.now = T0 + 4999
    const second = await h.verifier.verify(GOOD)
    expect(second).toEqual(first)
    expect(h.upstreamCount(GOOD)).toBe(1)
    expect(h.verifier.stats()).toMatchObject({ hits: 1, misses: 1, upstreamCalls: 1, size: 1 })
  })

  it('asks again once ttlMs has passed', async () => {
    h = await harness({ cache: { ttlMs: 5000 } })
    h.replies.set(GOOD, validReply())
    await h.verifier.verify(GOOD)
    h.clock.now = T0 + 5000
    await h.verifier.verify(GOOD)
    expect(h.upstreamCount(GOOD)).toBe(2)
  })

  it('never serves a token past its own expiration, even within ttlMs', async () => {
    h = await harness({ cache: { ttlMs: 60_000 } })
    h.replies.set(GOOD, validReply({}, 1000)) // expires at T0 + 1000
    await h.verifier.verify(GOOD)
    h.clock.now = T0 + 999
    await h.verifier.verify(GOOD)
    expect(h.upstreamCount(GOOD)).toBe(1)
    h.clock.now = T0 + 1000 // expired now: Clerk would say so too
    h.replies.set(GOOD, validReply({ expired: true }, 1000))
    await expect(h.verifier.verify(GOOD)).rejects.toBeInstanceOf(InvalidTokenError)
    expect(h.upstreamCount(GOOD)).toBe(2)
  })

  it('returns a frozen result that callers cannot alter for each other', async () => {
    h = await harness()
    h.replies.set(GOOD, validReply())
    const first = await h.verifier.verify(GOOD)
    expect(() => first.scopes.push('mch_attacker')).toThrow(TypeError)
    expect(() => {
      ;(first.claims as Record<string, unknown>).important_metadata = 'changed'
    }).toThrow(TypeError)
    expect((await h.verifier.verify(GOOD)).scopes).not.toContain('mch_attacker')
  })

  it('cache: false calls upstream every time', async () => {
    h = await harness({ cache: false })
    h.replies.set(GOOD, validReply())
    await h.verifier.verify(GOOD)
    await h.verifier.verify(GOOD)
    expect(h.upstreamCount(GOOD)).toBe(2)
    expect(h.verifier.stats()).toMatchObject({ hits: 0, size: 0 })
  })

  it('evicts the least recently used entry beyond max', async () => {
    h = await harness({ cache: { max: 2 } })
    for (const n of [1, 2, 3]) h.replies.set(opaqueToken(n), validReply())
    await h.verifier.verify(opaqueToken(1))
    await h.verifier.verify(opaqueToken(2))
    await h.verifier.verify(opaqueToken(1)) // 1 is now the most recently used
    await h.verifier.verify(opaqueToken(3)) // evicts 2
    await h.verifier.verify(opaqueToken(1))
    await h.verifier.verify(opaqueToken(2))
    expect(h.upstreamCount(opaqueToken(1))).toBe(1)
    expect(h.upstreamCount(opaqueToken(2))).toBe(2)
  })
})

describe('negative cache', () => {
  it('remembers a definite "no" for negativeTtlMs, then asks again', async () => {
    h = await harness({ cache: { negativeTtlMs: 2000 } })
    const unknown = opaqueToken(99)
    await expect(h.verifier.verify(unknown)).rejects.toBeInstanceOf(InvalidTokenError)
    h.clock.now = T0 + 1999
    await expect(h.verifier.verify(unknown)).rejects.toBeInstanceOf(InvalidTokenError)
    expect(h.upstreamCount(unknown)).toBe(1)
    expect(h.verifier.stats()).toMatchObject({ negativeHits: 1, negativeSize: 1 })
    h.clock.now = T0 + 2000
    await expect(h.verifier.verify(unknown)).rejects.toBeInstanceOf(InvalidTokenError)
    expect(h.upstreamCount(unknown)).toBe(2)
  })

  it('negativeTtlMs: 0 turns negative caching off', async () => {
    h = await harness({ cache: { negativeTtlMs: 0 } })
    const unknown = opaqueToken(99)
    await h.verifier.verify(unknown).catch(() => undefined)
    await h.verifier.verify(unknown).catch(() => undefined)
    expect(h.upstreamCount(unknown)).toBe(2)
  })
})

describe('transient failures', () => {
  it('never caches a 503: the next call reaches upstream again', async () => {
    h = await harness()
    h.replies.set(GOOD, UNAVAILABLE)
    await expect(h.verifier.verify(GOOD)).rejects.toBeInstanceOf(TokenServiceUnavailableError)
    h.replies.set(GOOD, validReply())
    await expect(h.verifier.verify(GOOD)).resolves.toMatchObject({ subject: expect.any(String) })
    expect(h.upstreamCount(GOOD)).toBe(2)
    expect(h.verifier.stats()).toMatchObject({ errors: 1, negativeSize: 0 })
  })
})

describe('single-flight', () => {
  it('1,000 concurrent verifications of one token make exactly 1 upstream call', async () => {
    h = await harness({ onEvent: undefined })
    h.replies.set(GOOD, { ...validReply(), delayMs: 20 })
    const results = await Promise.all(Array.from({ length: 1000 }, () => h.verifier.verify(GOOD)))
    expect(new Set(results.map((r) => r.id)).size).toBe(1)
    expect(h.upstreamCount(GOOD)).toBe(1)
    expect(h.verifier.stats()).toMatchObject({ misses: 1, coalesced: 999, upstreamCalls: 1 })
  })

  it('shares a failure with the callers in flight, then forgets it', async () => {
    h = await harness()
    h.replies.set(GOOD, { ...UNAVAILABLE, delayMs: 20 })
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => rejectionOf(h.verifier.verify(GOOD))))
    for (const outcome of outcomes) expect(outcome).toBeInstanceOf(TokenServiceUnavailableError)
    expect(h.upstreamCount(GOOD)).toBe(1)
    h.replies.set(GOOD, validReply())
    await h.verifier.verify(GOOD)
    expect(h.upstreamCount(GOOD)).toBe(2)
  })

  it('singleFlight: false lets each concurrent verification call upstream (Workers)', async () => {
    h = await harness({ singleFlight: false })
    h.replies.set(GOOD, { ...validReply(), delayMs: 20 })
    await Promise.all(Array.from({ length: 5 }, () => h.verifier.verify(GOOD)))
    expect(h.upstreamCount(GOOD)).toBe(5)
    expect(h.verifier.stats().coalesced).toBe(0)
  })
})

describe('invalidate', () => {
  it('drops the positive entry: the next verification asks upstream', async () => {
    h = await harness()
    h.replies.set(GOOD, validReply())
    await h.verifier.verify(GOOD)
    h.replies.set(GOOD, validReply({ revoked: true }))
    await h.verifier.invalidate(GOOD)
    await expect(h.verifier.verify(GOOD)).rejects.toBeInstanceOf(InvalidTokenError)
    expect(h.upstreamCount(GOOD)).toBe(2)
  })

  it('drops the negative entry too', async () => {
    h = await harness()
    await h.verifier.verify(GOOD).catch(() => undefined)
    h.replies.set(GOOD, validReply())
    await h.verifier.invalidate(GOOD)
    await expect(h.verifier.verify(GOOD)).resolves.toBeDefined()
  })

  it('keeps a verification in flight during invalidate() from repopulating the cache', async () => {
    h = await harness()
    h.replies.set(GOOD, { ...validReply(), delayMs: 30 })
    const inflight = h.verifier.verify(GOOD)
    await h.verifier.invalidate(GOOD)
    await inflight
    h.replies.set(GOOD, validReply({ revoked: true }))
    await expect(h.verifier.verify(GOOD)).rejects.toBeInstanceOf(InvalidTokenError)
  })
})

describe('stale-if-error (opt-in)', () => {
  const options = { cache: { ttlMs: 1000, staleIfErrorMs: 10_000 } }

  it('serves a stale entry within the window when upstream fails transiently', async () => {
    h = await harness(options)
    h.replies.set(GOOD, validReply())
    const fresh = await h.verifier.verify(GOOD)
    h.clock.now = T0 + 5000
    h.replies.set(GOOD, UNAVAILABLE)
    await expect(h.verifier.verify(GOOD)).resolves.toEqual(fresh)
    expect(h.upstreamCount(GOOD)).toBe(2)
    expect(h.verifier.stats()).toMatchObject({ staleHits: 1, errors: 1 })
  })

  it('stops serving it after the window', async () => {
    h = await harness(options)
    h.replies.set(GOOD, validReply())
    await h.verifier.verify(GOOD)
    h.clock.now = T0 + 1000 + 10_000
    h.replies.set(GOOD, UNAVAILABLE)
    await expect(h.verifier.verify(GOOD)).rejects.toBeInstanceOf(TokenServiceUnavailableError)
  })

  it('never serves it past the token expiration', async () => {
    h = await harness(options)
    h.replies.set(GOOD, validReply({}, 3000))
    await h.verifier.verify(GOOD)
    h.clock.now = T0 + 3000
    h.replies.set(GOOD, UNAVAILABLE)
    await expect(h.verifier.verify(GOOD)).rejects.toBeInstanceOf(TokenServiceUnavailableError)
  })

  it('never serves it after a definite negative', async () => {
    h = await harness({ cache: { ...options.cache, negativeTtlMs: 0 } })
    h.replies.set(GOOD, validReply())
    await h.verifier.verify(GOOD)
    h.clock.now = T0 + 2000
    h.replies.set(GOOD, validReply({ revoked: true }))
    await expect(h.verifier.verify(GOOD)).rejects.toBeInstanceOf(InvalidTokenError)
    h.replies.set(GOOD, UNAVAILABLE)
    await expect(h.verifier.verify(GOOD)).rejects.toBeInstanceOf(TokenServiceUnavailableError)
  })

  it('never serves it after invalidate()', async () => {
    h = await harness(options)
    h.replies.set(GOOD, validReply())
    await h.verifier.verify(GOOD)
    await h.verifier.invalidate(GOOD)
    h.clock.now = T0 + 2000
    h.replies.set(GOOD, UNAVAILABLE)
    await expect(h.verifier.verify(GOOD)).rejects.toBeInstanceOf(TokenServiceUnavailableError)
  })

  it('is off by default: fail closed', async () => {
    h = await harness({ cache: { ttlMs: 1000 } })
    h.replies.set(GOOD, validReply())
    await h.verifier.verify(GOOD)
    h.clock.now = T0 + 1500
    h.replies.set(GOOD, UNAVAILABLE)
    await expect(h.verifier.verify(GOOD)).rejects.toBeInstanceOf(TokenServiceUnavailableError)
  })
})
