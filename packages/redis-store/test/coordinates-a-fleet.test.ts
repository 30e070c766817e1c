/**
 * The store's fleet capabilities against a real redis-server: the lock is `SET NX PX` (one taker,
 * expiring by itself), broadcasts go through pub/sub on a subscriber connection the store opens
 * itself, and that connection comes back by itself after Redis restarts, telling the verifier that
 * messages may have been lost. Through verifiers: one upstream call for many concurrent misses.
 */
import type { StoreListener } from '@m2m-auth/core'
import { InvalidTokenError } from '@m2m-auth/core'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createRedisStore } from '../src/index.js'
import { type Fixture, useFixture } from './fixture.js'
import { skipRedis } from './redis-server.js'

describe.skipIf(skipRedis)('a Redis store coordinating a fleet', () => {
  const fixture = useFixture()
  let fx: Fixture
  beforeEach(() => {
    fx = fixture()
  })

  it('lock() is SET NX PX: one caller takes it, it expires by itself, unlock() frees it', async () => {
    const store = createRedisStore(await fx.connect(), { prefix: 'api:' })
    expect(await store.lock?.('k:lock', 300)).toBe(true)
    expect(await store.lock?.('k:lock', 300)).toBe(false)
    const pttl = await fx.admin.pTTL('api:k:lock')
    expect(pttl).toBeGreaterThan(0)
    expect(pttl).toBeLessThanOrEqual(300)
    await store.unlock?.('k:lock')
    expect(await store.lock?.('k:lock', 300)).toBe(true)
    await store.close()
  })

  it('publishes on prefix + channel and delivers to subscribers of other stores, after a reset', async () => {
    const [a, b] = [
      createRedisStore(await fx.connect(), { prefix: 'api:' }),
      createRedisStore(await fx.connect(), { prefix: 'api:' }),
    ]
    const heard: string[] = []
    const listener: StoreListener = { message: (m) => heard.push(m), reset: () => heard.push('<reset>') }
    b.subscribe?.('m2m:v2:x:bus', listener)
    await vi.waitFor(() => expect(heard).toEqual(['<reset>'])) // subscribed
    await a.publish?.('m2m:v2:x:bus', 'hello')
    await vi.waitFor(() => expect(heard).toEqual(['<reset>', 'hello']))
    expect(await fx.admin.sendCommand(['PUBSUB', 'CHANNELS'])).toEqual(['api:m2m:v2:x:bus'])
    await Promise.all([a.close(), b.close()])
  })

  it('reconnects its subscriber after Redis restarts, and says messages may have been missed', async () => {
    const store = createRedisStore(await fx.connect(), { onError: () => undefined })
    let resets = 0
    const heard: string[] = []
    store.subscribe?.('bus', { message: (m) => heard.push(m), reset: () => resets++ })
    await vi.waitFor(() => expect(resets).toBe(1))
    await fx.redis.restart()
    await vi.waitFor(() => expect(resets).toBe(2), { timeout: 5000 })
    const publisher = createRedisStore(await fx.connect(), { broadcast: false })
    await fx.admin.publish('bus', 'after the restart')
    await vi.waitFor(() => expect(heard).toEqual(['after the restart']))
    await Promise.all([store.close(), publisher.close()])
  })

  it('makes 3 verifiers × 20 concurrent first requests of a token cost one upstream call', async () => {
    const listening = await fx.subscribers()
    const verifiers = [await fx.verifier(), await fx.verifier(), await fx.verifier()]
    // A fleet in steady state: every process listens before the burst (a subscription coming up
    // resets what its verifier holds and has in flight).
    await vi.waitFor(async () => expect(await fx.subscribers()).toBe(listening + 3), { timeout: 5000 })
    const { token, id } = await fx.token()
    fx.emulator.setLatency(50) // keeps all 60 requests in flight together
    const before = fx.verifyCalls()
    const answers = await Promise.all(
      verifiers.flatMap((v) => Array.from({ length: 20 }, () => v.verify(token))),
    )
    fx.emulator.setLatency(0)
    expect(answers.every((t) => t.id === id)).toBe(true)
    expect(fx.verifyCalls() - before).toBe(1)
  })

  it('refuses a token in a verifier that lost its subscription, once it is back (memory dropped)', async () => {
    const options = { secretKey: fx.emulator.secretKey, machineId: fx.api.id, cache: { ttlMs: 60_000 } }
    const listening = await fx.subscribers()
    const b = await fx.verifier(options)
    // B's subscription is opened in the background and, once it is up, drops what B held (anything
    // before may have been missed): let it come up before B caches the token.
    await vi.waitFor(async () => expect(await fx.subscribers()).toBe(listening + 1), { timeout: 5000 })
    const { token, id } = await fx.token()
    await b.verify(token)
    expect(b.stats().size).toBe(1)
    await fx.redis.restart() // a revocation published now would be lost to B...
    const a = await fx.verifier(options)
    await a.revokeToken({ m2mTokenId: id })
    // ...so once B's subscriber is back, B drops what it held and asks the token service again.
    await vi.waitFor(() => expect(b.stats().size).toBe(0), { timeout: 5000 })
    await expect(b.verify(token)).rejects.toBeInstanceOf(InvalidTokenError)
  })
})
