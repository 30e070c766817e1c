/**
 * invalidate() and revokeToken() act on one token: verifications of other tokens that are in flight
 * at that moment still cache their answers, while the invalidated token's own in-flight answer
 * does not repopulate the cache. Loopback fake of Clerk; answers are held with a short delay.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { wireToken } from './helpers/fake-clerk.js'
import { type Harness, harness, opaqueToken, VERIFY_PATH, validReply } from './verifier.fixtures.js'

const A = opaqueToken(1)
const B = opaqueToken(2)
const ID_A = 'mt_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
const ID_B = 'mt_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'

let h: Harness
afterEach(() => h?.close())

async function twoInFlight(): Promise<[Promise<unknown>, Promise<unknown>]> {
  h = await harness()
  h.replies.set(A, { ...validReply({ id: ID_A }), delayMs: 30 })
  h.replies.set(B, { ...validReply({ id: ID_B }), delayMs: 30 })
  return [h.verifier.verify(A), h.verifier.verify(B)]
}

describe('per-token invalidation', () => {
  it('lets other tokens in flight during invalidate() be cached', async () => {
    const [a, b] = await twoInFlight()
    await h.verifier.invalidate(B)
    await Promise.all([a, b])
    await h.verifier.verify(A)
    await h.verifier.verify(B)
    expect(h.upstreamCount(A)).toBe(1) // cached although invalidate() ran while it was in flight
    expect(h.upstreamCount(B)).toBe(2) // its own in-flight answer was not cached
  })

  it('lets other tokens in flight during revokeToken() be cached', async () => {
    const [a, b] = await twoInFlight()
    h.fake.on('POST', '/m2m_tokens/:id/revoke', () => ({
      status: 200,
      body: wireToken({ id: ID_B, revoked: true }),
    }))
    await h.verifier.revokeToken({ m2mTokenId: ID_B })
    await Promise.all([a, b])
    await h.verifier.verify(A)
    await h.verifier.verify(B)
    expect(h.upstreamCount(A)).toBe(1)
    expect(h.upstreamCount(B)).toBe(2) // the revoked id's in-flight answer was not cached
  })

  it('still caches tokens verified after an invalidate() of another one', async () => {
    h = await harness()
    h.replies.set(A, validReply())
    await h.verifier.invalidate(B)
    await h.verifier.verify(A)
    await h.verifier.verify(A)
    expect(h.fake.requests.filter((r) => r.path === VERIFY_PATH)).toHaveLength(1)
  })
})
