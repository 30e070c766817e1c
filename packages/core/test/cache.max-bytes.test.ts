/**
 * cache.maxBytes: the valid-token LRU is bounded by an estimate of the memory it holds, next to its
 * entry bound `max`. Loopback fake of Clerk.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createVerifier, M2MConfigError } from '../src/index.js'
import { entryBytes } from '../src/verify/cache.js'
import { type Harness, harness, opaqueToken, SECRET_KEY, validReply } from './verifier.fixtures.js'

let cleanup: Harness | undefined
afterEach(async () => {
  await cleanup?.close()
  cleanup = undefined
})

describe('cache.maxBytes', () => {
  it('evicts least recently used entries once their estimated size passes maxBytes', async () => {
    const h = await harness({ cache: { maxBytes: 4096 } })
    cleanup = h
    for (let n = 0; n < 40; n++) h.replies.set(opaqueToken(n), validReply())
    for (let n = 0; n < 40; n++) await h.verifier.verify(opaqueToken(n))
    const first = await h.verifier.verify(opaqueToken(39))
    const perEntry = entryBytes(opaqueToken(39), first)
    const size = h.verifier.stats().size
    expect(size).toBe(Math.floor(4096 / perEntry))
    expect(size).toBeLessThan(40)
    // The most recent token is still cached; the oldest was evicted and is asked again.
    await h.verifier.verify(opaqueToken(0))
    expect(h.upstreamCount(opaqueToken(39))).toBe(1)
    expect(h.upstreamCount(opaqueToken(0))).toBe(2)
  })

  it('counts large claims, and does not cache an entry larger than maxBytes', async () => {
    const h = await harness({ cache: { maxBytes: 2000 } })
    cleanup = h
    const big = opaqueToken(1)
    h.replies.set(big, validReply({ claims: { blob: 'x'.repeat(2000) } }))
    await h.verifier.verify(big)
    await h.verifier.verify(big)
    expect(h.upstreamCount(big)).toBe(2)
    expect(h.verifier.stats().size).toBe(0)
  })

  it('estimates an opaque token with small claims at well under 1 KB', async () => {
    const h = await harness()
    cleanup = h
    const token = opaqueToken(7)
    h.replies.set(token, validReply())
    expect(entryBytes(token, await h.verifier.verify(token))).toBeLessThan(1024)
  })

  it('rejects a maxBytes that is not a positive integer at startup', () => {
    for (const maxBytes of [0, -1, 1.5, '1000']) {
      const build = () => createVerifier({ secretKey: SECRET_KEY, cache: { maxBytes: maxBytes as number } })
      expect(build).toThrow(M2MConfigError)
      expect(build).toThrow(/cache\.maxBytes/)
    }
  })
})
