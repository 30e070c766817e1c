import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CacheStore, SealedEntry } from '../src/index.js'
import { TOKEN_ID, wireToken } from './helpers/fake-clerk.js'
import { type Harness, harness, opaqueToken, validReply } from './verifier.fixtures.js'

const REVOKE_PATH = `/m2m_tokens/${TOKEN_ID}/revoke`

describe('revoking through the verifier drops the cached answer at once', () => {
  let h: Harness
  afterEach(() => h.close())

  it('answers 401 on the next verify instead of serving the cached 200 for ttlMs', async () => {
    h = await harness({ cache: { ttlMs: 60_000 } })
    const token = opaqueToken(1)
    h.replies.set(token, validReply({ id: TOKEN_ID }))
    h.fake.on('POST', REVOKE_PATH, () => ({ status: 200, body: wireToken({ id: TOKEN_ID, revoked: true }) }))

    await h.verifier.verify(token)
    await h.verifier.verify(token)
    expect(h.upstreamCount(token)).toBe(1) // cached

    h.replies.delete(token) // the token service now answers 404 for it
    const revoked = await h.verifier.revokeToken({ m2mTokenId: TOKEN_ID })
    expect(revoked.revoked).toBe(true)
    await expect(h.verifier.verify(token)).rejects.toMatchObject({
      status: 401,
      code: 'invalid_token',
      description: 'The access token is invalid',
    })
    // Revocation is final: refused from memory, without asking the token service again.
    expect(h.upstreamCount(token)).toBe(1)
  })

  it('keeps other tokens cached', async () => {
    h = await harness({ cache: { ttlMs: 60_000 } })
    const [a, b] = [opaqueToken(1), opaqueToken(2)]
    h.replies.set(a, validReply({ id: TOKEN_ID }))
    h.replies.set(b, validReply({ id: 'mt_00000000000000000000000000000002' }))
    h.fake.on('POST', REVOKE_PATH, () => ({ status: 200, body: wireToken({ id: TOKEN_ID, revoked: true }) }))
    await h.verifier.verify(a)
    await h.verifier.verify(b)
    await h.verifier.revokeToken({ m2mTokenId: TOKEN_ID })
    await h.verifier.verify(b)
    expect(h.upstreamCount(b)).toBe(1)
  })

  it('ignores a shared-store entry of a token revoked here', async () => {
    const data = new Map<string, SealedEntry>()
    const store: CacheStore = {
      get: (key) => data.get(key),
      set: (key, entry) => void data.set(key, entry),
      delete: (key) => void data.delete(key),
    }
    h = await harness({ cache: { ttlMs: 60_000, store } })
    const token = opaqueToken(3)
    h.replies.set(token, validReply({ id: TOKEN_ID }))
    h.fake.on('POST', REVOKE_PATH, () => ({ status: 200, body: wireToken({ id: TOKEN_ID, revoked: true }) }))
    await h.verifier.verify(token)
    // Store writes are off the answer's path: the entry lands shortly after.
    await vi.waitFor(() => expect(data.size).toBe(1))
    h.replies.delete(token)
    await h.verifier.revokeToken({ m2mTokenId: TOKEN_ID })
    h.clock.now += 2000 // past the negative entry: the next lookup reads the store again
    await expect(h.verifier.verify(token)).rejects.toMatchObject({ status: 401 })
    await vi.waitFor(() => expect(data.size).toBe(0))
  })

  it('leaves the cache alone when the revocation fails', async () => {
    h = await harness({ cache: { ttlMs: 60_000 } })
    const token = opaqueToken(4)
    h.replies.set(token, validReply({ id: TOKEN_ID }))
    await h.verifier.verify(token)
    await expect(h.verifier.revokeToken({ m2mTokenId: TOKEN_ID })).rejects.toMatchObject({ status: 404 })
    await h.verifier.verify(token)
    expect(h.upstreamCount(token)).toBe(1)
  })
})
