/**
 * Verifier events and counters: every outcome is observable, events carry a short digest of the
 * token and never the token, and a failing listener never changes a verification's result.
 */
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { VerifierEvent, VerifierEventType } from '../src/index.js'
import {
  eventually,
  type Harness,
  harness,
  opaqueToken,
  rejectionOf,
  T0,
  validReply,
} from './verifier.fixtures.js'

const TOKEN = opaqueToken(42)
const DIGEST = createHash('sha256').update(TOKEN).digest('hex').slice(0, 16)

let h: Harness
afterEach(() => h?.close())

const types = (events: VerifierEvent[]) => events.map((e) => e.type)

describe('onEvent', () => {
  it('reports miss, upstream and hit with the token digest and the duration', async () => {
    h = await harness()
    h.replies.set(TOKEN, validReply())
    await h.verifier.verify(TOKEN)
    await h.verifier.verify(TOKEN)
    await eventually(() => h.events.length >= 3)
    expect(types(h.events).sort()).toEqual(['hit', 'miss', 'upstream'])
    for (const event of h.events) expect(event).toMatchObject({ format: 'opaque', tokenDigest: DIGEST })
    const upstream = h.events.find((e) => e.type === 'upstream')
    expect(upstream?.durationMs).toBeGreaterThanOrEqual(0)
    expect(upstream?.errorCode).toBeUndefined()
  })

  it('reports negative hits, errors, coalescing, stale hits, malformed tokens and invalidation', async () => {
    h = await harness({ cache: { ttlMs: 1000, staleIfErrorMs: 5000 } })
    const unknown = opaqueToken(43)
    await h.verifier.verify(unknown).catch(() => undefined)
    await h.verifier.verify(unknown).catch(() => undefined)
    h.replies.set(TOKEN, { ...validReply(), delayMs: 20 })
    await Promise.all([h.verifier.verify(TOKEN), h.verifier.verify(TOKEN)])
    h.clock.now = T0 + 2000
    h.replies.set(TOKEN, { status: 503 })
    await h.verifier.verify(TOKEN)
    await h.verifier.verify('garbage').catch(() => undefined)
    await h.verifier.invalidate(TOKEN)
    const expected: VerifierEventType[] = [
      'negative_hit',
      'coalesced',
      'error',
      'stale_hit',
      'malformed',
      'invalidate',
    ]
    await eventually(() => expected.every((type) => types(h.events).includes(type)))
    expect(h.events.find((e) => e.type === 'error')?.errorCode).toBe('temporarily_unavailable')
    expect(h.events.find((e) => e.type === 'malformed')).toEqual({
      type: 'malformed',
      format: null,
      reason: 'not an M2M token',
    })
    expect(h.verifier.stats()).toMatchObject({
      negativeHits: 1,
      coalesced: 1,
      staleHits: 1,
      errors: 1,
      upstreamCalls: 3,
    })
  })

  it('never carries the token, whatever happens', async () => {
    h = await harness()
    h.replies.set(TOKEN, validReply())
    await h.verifier.verify(TOKEN)
    await h.verifier.verify(TOKEN)
    await h.verifier.invalidate(TOKEN)
    h.replies.set(TOKEN, { status: 500 })
    await h.verifier.verify(TOKEN).catch(() => undefined)
    h.replies.set(TOKEN, { status: 404 })
    await h.verifier.verify(TOKEN).catch(() => undefined)
    await h.verifier.verify(TOKEN).catch(() => undefined)
    await eventually(() => h.events.length >= 10)
    const serialized = JSON.stringify(h.events)
    expect(serialized).not.toContain(TOKEN)
    expect(serialized).not.toContain(TOKEN.slice(3)) // not even the secret part alone
  })

  it('a throwing or rejecting listener does not break verification', async () => {
    let calls = 0
    h = await harness({
      onEvent: (event) => {
        calls++
        if (event.type === 'miss') throw new Error('metrics backend down')
        if (event.type === 'hit') return Promise.reject(new Error('async failure')) as unknown as undefined
      },
    })
    h.replies.set(TOKEN, validReply())
    await expect(h.verifier.verify(TOKEN)).resolves.toMatchObject({ format: 'opaque' })
    await expect(h.verifier.verify(TOKEN)).resolves.toMatchObject({ format: 'opaque' })
    await eventually(() => calls >= 3)
  })

  it('computes no digest and delivers nothing when no listener is set', async () => {
    h = await harness({ onEvent: undefined })
    h.replies.set(TOKEN, validReply())
    await h.verifier.verify(TOKEN)
    await h.verifier.verify(TOKEN)
    expect(h.events).toHaveLength(0)
    expect(h.verifier.stats()).toMatchObject({ hits: 1, misses: 1, upstreamCalls: 1, size: 1 })
  })
})

describe('stats', () => {
  it('counts a rejected upstream verification as neither a hit nor an error', async () => {
    h = await harness()
    const error = await rejectionOf(h.verifier.verify(opaqueToken(44)))
    expect(error.status).toBe(401)
    expect(h.verifier.stats()).toEqual({
      hits: 0,
      misses: 1,
      negativeHits: 0,
      coalesced: 0,
      upstreamCalls: 1,
      errors: 0,
      staleHits: 0,
      shed: 0,
      shortCircuited: 0,
      refreshes: 0,
      size: 0,
      negativeSize: 1,
      storeRejected: 0,
      storeErrors: 0,
    })
  })
})
