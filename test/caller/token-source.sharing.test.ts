/**
 * One create call for many callers: concurrent first callers share it, later callers get the held
 * token from memory, and the token is one the receiving machine accepts.
 */
import { createM2MClient } from '@m2m-auth/core'
import { afterEach, describe, expect, it } from 'vitest'
import { type SourceHarness, sourceHarness } from './support.js'

let h: SourceHarness
afterEach(() => h?.close())

describe('createTokenSource shares one create call', () => {
  it('answers 500 concurrent first callers with one create call and one token', async () => {
    h = await sourceHarness()
    const tokens = await Promise.all(Array.from({ length: 500 }, () => h.source.getToken()))
    expect(h.creates()).toBe(1)
    expect(new Set(tokens).size).toBe(1)
    expect(tokens[0]).toMatch(/^mt_/)
    expect(h.source.stats()).toMatchObject({ creates: 1, waits: 500, hits: 0, rejections: 0 })
  })

  it('mints a token the receiving machine verifies, scoped to it', async () => {
    h = await sourceHarness()
    const billing = h.emulator.machines[1]!
    const verifier = createM2MClient({ secretKey: billing.secretKey, apiUrl: h.emulator.url })
    const verified = await verifier.verifyToken({ token: await h.source.getToken() })
    expect(verified.subject).toBe(h.emulator.machines[0]!.id)
    expect(verified.scopes).toContain(billing.id)
  })

  it('serves later callers from memory with the same settled promise, without another call', async () => {
    h = await sourceHarness()
    const first = await h.source.getToken()
    const a = h.source.getToken()
    const b = h.source.getToken()
    expect(a).toBe(b)
    for (let i = 0; i < 1000; i++) await h.source.getToken()
    expect(await a).toBe(first)
    expect(h.creates()).toBe(1)
    expect(h.source.stats().hits).toBe(1002)
  })

  it('forced refreshes share one create call and replace the token', async () => {
    h = await sourceHarness()
    const first = await h.source.getToken()
    const forced = await Promise.all(
      Array.from({ length: 50 }, () => h.source.getToken({ forceRefresh: true })),
    )
    expect(h.creates()).toBe(2)
    expect(new Set(forced).size).toBe(1)
    expect(forced[0]).not.toBe(first)
    expect(await h.source.getToken()).toBe(forced[0])
  })

  it('invalidate(token) drops only that token, so callers refused with it share one new token', async () => {
    h = await sourceHarness()
    const first = await h.source.getToken()
    h.source.invalidate('mt_not_the_current_one')
    expect(await h.source.getToken()).toBe(first)
    const replaced = await Promise.all(
      Array.from({ length: 20 }, async () => {
        h.source.invalidate(first)
        return h.source.getToken()
      }),
    )
    expect(new Set(replaced).size).toBe(1)
    expect(replaced[0]).not.toBe(first)
    // A late caller that saw the first token refused does not mint a third one.
    h.source.invalidate(first)
    expect(await h.source.getToken()).toBe(replaced[0])
    expect(h.creates()).toBe(2)
    expect(h.events.filter((e) => e.type === 'invalidate')).toHaveLength(1)
  })

  it('never puts a token or the key into events', async () => {
    h = await sourceHarness()
    const token = await h.source.getToken()
    const created = h.events.find((e) => e.type === 'created')
    expect(created).toMatchObject({ reason: 'initial', tokenId: expect.stringMatching(/^mt_/) })
    const text = JSON.stringify(h.events)
    expect(text).not.toContain(token)
    expect(text).not.toContain(h.emulator.machines[0]!.secretKey)
  })

  it('mints JWT-format tokens with custom claims when asked, and shares them the same way', async () => {
    h = await sourceHarness({ tokenFormat: 'jwt', claims: { app: 'orders' } })
    const tokens = await Promise.all(Array.from({ length: 20 }, () => h.source.getToken()))
    expect(new Set(tokens).size).toBe(1)
    const [, payload] = tokens[0]!.split('.')
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'))).toMatchObject({
      app: 'orders',
      sub: h.emulator.machines[0]!.id,
    })
    expect(h.creates()).toBe(1)
  })
})
