/**
 * Redis is an optimisation, never a point of failure: a killed or hung redis-server costs each
 * verification at most `timeoutMs` per Redis call, the token service answers instead, and nothing
 * is left behind as an unhandled rejection. Bounds are loose (a loaded 2-core machine) but far
 * below what waiting on Redis would take: without the store's timeouts these calls would hang.
 */
import type { RedisClientOptions } from 'redis'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { IssuedToken } from '../../../test/helpers/emulator.js'
import { RedisStoreTimeoutError } from '../src/index.js'
import { type Fixture, useFixture } from './fixture.js'
import { skipRedis } from './redis-server.js'

const TIMEOUT_MS = 50
/** Far above 2 x TIMEOUT_MS + one loopback call to the emulator; far below the 3 s pause below. */
const BOUND_MS = 1000

describe.skipIf(skipRedis)('a Redis store when Redis fails', () => {
  const fixture = useFixture()
  let fx: Fixture
  // Seen here as well as by vitest (which fails the run on any): the test names the culprit.
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  beforeEach(() => {
    fx = fixture()
    unhandled.length = 0
    process.on('unhandledRejection', onUnhandled)
  })
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled)
  })

  describe.each([
    ['the default client (commands queue while disconnected)', {}],
    ['a client with disableOfflineQueue', { disableOfflineQueue: true }],
  ] as [string, Omit<RedisClientOptions, 'url'>][])('killed mid-run, with %s', (_name, clientOptions) => {
    it('verifies through the token service within the time bound, and invalidate() rejects', async () => {
      const errors: unknown[] = []
      const store = { timeoutMs: TIMEOUT_MS, onError: (error: unknown) => errors.push(error) }
      const a = await fx.verifier({}, { ...store, client: await fx.connect(clientOptions) })
      const b = await fx.verifier({}, { ...store, client: await fx.connect(clientOptions) })
      // Verified by A (so in Redis); B has none of them in its in-memory tier yet.
      const tokens = [await fx.token(), await fx.token(), await fx.token(), await fx.token()]
      for (const { token } of tokens) await a.verify(token)
      const [first, ...rest] = tokens as [IssuedToken, ...IssuedToken[]]
      await b.verify(first.token)
      expect(b.stats()).toMatchObject({ hits: 1, upstreamCalls: 0 })

      await fx.redis.stop('SIGKILL')
      const before = fx.verifyCalls()
      for (const { token, id } of rest) {
        const started = performance.now()
        await expect(b.verify(token)).resolves.toMatchObject({ id })
        expect(performance.now() - started).toBeLessThan(BOUND_MS)
      }
      expect(fx.verifyCalls() - before).toBe(3)
      expect(errors.length).toBeGreaterThanOrEqual(3)
      // B's in-memory tier still answers for the token it had read from Redis.
      await expect(b.verify(first.token)).resolves.toMatchObject({ id: first.id })
      await expect(b.invalidate(first.token)).rejects.toBeInstanceOf(Error)
      await sleep(2 * TIMEOUT_MS) // let late answers of abandoned commands settle
      expect(unhandled).toEqual([])
    })
  })

  it('hung (CLIENT PAUSE): a verification waits at most timeoutMs per Redis call, then goes upstream', async () => {
    const operations: string[] = []
    const store = {
      timeoutMs: TIMEOUT_MS,
      onError: (error: unknown) => {
        if (error instanceof RedisStoreTimeoutError) operations.push(error.operation)
      },
    }
    const [a, b] = [await fx.verifier({}, store), await fx.verifier({}, store)]
    const { token, id } = await fx.token()
    await a.verify(token)
    await vi.waitFor(async () => expect((await fx.entries()).size).toBe(1)) // A's background write

    await fx.admin.sendCommand(['CLIENT', 'PAUSE', '3000', 'ALL'])
    const before = fx.verifyCalls()
    const started = performance.now()
    await expect(b.verify(token)).resolves.toMatchObject({ id })
    expect(performance.now() - started).toBeLessThan(BOUND_MS)
    expect(fx.verifyCalls() - before).toBe(1)
    expect(b.stats()).toMatchObject({ hits: 0, misses: 1, upstreamCalls: 1 })
    // The read and the fleet lock each gave up after timeoutMs; the write timed out in the background.
    await vi.waitFor(() => expect(operations).toEqual(['get', 'lock', 'set']))
    expect(unhandled).toEqual([])
  })
})

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
