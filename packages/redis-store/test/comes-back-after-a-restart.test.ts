/**
 * After a Redis restart every process must share again, by itself: its client reconnects, its
 * subscriber listens again, and what one verifier verified the other serves from Redis. The restart
 * is shown the way a client can meet it: the port accepts connections and resets them (the server
 * going down, or not yet serving) before Redis answers there again. node-redis before 5.11 called
 * such a connection ready when the reset hit its reconnect handshake, and then never reconnected
 * (every store call of that process timed out for good); this suite fails on those versions.
 */
import { createServer, type Socket } from 'node:net'
import { describe, expect, it, vi } from 'vitest'
import { type Fixture, useFixture } from './fixture.js'
import { skipRedis } from './redis-server.js'

describe.skipIf(skipRedis)('a Redis store when Redis restarts', () => {
  const fixture = useFixture()

  it('shares again after connections to the port were reset during the reconnect', async () => {
    const fx: Fixture = fixture()
    const client = { disableOfflineQueue: true }
    const a = await fx.verifier({}, { client: await fx.connect(client) })
    const b = await fx.verifier({}, { client: await fx.connect(client) })

    await fx.redis.stop('SIGKILL')
    // Every client is reconnecting now (the fixture's strategy: every 100 ms); each attempt is
    // accepted, then reset, until every connection (two stores, two subscribers, the admin) has
    // met at least one reset.
    const resets = await resetConnections(fx.redis.port, { atLeast: 10, forMs: 600 })
    expect(resets).toBeGreaterThanOrEqual(5)
    await fx.redis.restart()

    // Both listening again (a subscriber coming back drops what its verifier holds)...
    await vi.waitFor(async () => expect(await fx.subscribers()).toBe(2), { timeout: 10_000, interval: 20 })
    // ...and sharing: A's entry lands in Redis, B answers from it without the token service.
    const { token, id } = await fx.token()
    await a.verify(token)
    await vi.waitFor(async () => expect((await fx.entries()).size).toBe(1), { timeout: 5000 })
    const before = fx.verifyCalls()
    await expect(b.verify(token)).resolves.toMatchObject({ id })
    expect(fx.verifyCalls() - before).toBe(0)
    expect(b.stats()).toMatchObject({ hits: 1, upstreamCalls: 0 })
  })
})

/**
 * Listens on `port` and resets every connection it accepts, for `forMs` or until `atLeast` were
 * reset (whichever is later once `forMs` has passed, at most 3 x `forMs`); resolves with the count.
 */
async function resetConnections(port: number, { atLeast, forMs }: { atLeast: number; forMs: number }) {
  let count = 0
  const server = createServer((socket: Socket) => {
    count++
    socket.resetAndDestroy()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  const started = Date.now()
  while (Date.now() - started < forMs || (count < atLeast && Date.now() - started < 3 * forMs)) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return count
}
