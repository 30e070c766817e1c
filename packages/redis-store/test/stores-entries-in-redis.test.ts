/**
 * The store's own commands against a real redis-server: JSON values under prefix + key with PX,
 * deletion, values that are not ours, the ioredis calling convention, clients that fail, and the
 * options it refuses.
 */
import type { SealedEntry } from '@m2m-auth/core'
import { createClient } from 'redis'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createRedisStore,
  fromIoredis,
  type IoredisLike,
  type RedisClientLike,
  type RedisStoreErrorContext,
} from '../src/index.js'
import { type Fixture, type RedisClient, useFixture } from './fixture.js'
import { skipRedis } from './redis-server.js'

const KEY = `m2m:v2:${'a'.repeat(32)}:${'b'.repeat(64)}`
/** The store passes entries through as JSON; the verifier seals and checks them (see core). */
const ENTRY: SealedEntry = { v: 2, body: '{"token":{"id":"mt_1"},"verifiedAt":1}', mac: 'c'.repeat(64) }

describe.skipIf(skipRedis)('createRedisStore on a real Redis', () => {
  const fixture = useFixture()
  let fx: Fixture
  let client: RedisClient
  beforeEach(async () => {
    fx = fixture()
    client = await fx.connect()
  })

  it('writes the entry as JSON under prefix + key with PX = ttlMs (rounded up), and reads it back', async () => {
    const store = createRedisStore(client, { prefix: 'orders-api:' })
    await store.set(KEY, ENTRY, 1234.2)
    expect(await fx.admin.get(`orders-api:${KEY}`)).toBe(JSON.stringify(ENTRY))
    const pttl = await fx.admin.pTTL(`orders-api:${KEY}`)
    expect(pttl).toBeGreaterThan(0)
    expect(pttl).toBeLessThanOrEqual(1235)
    expect(await store.get(KEY)).toEqual(ENTRY)
    expect(await createRedisStore(client).get(KEY)).toBeUndefined() // no prefix, another key
  })

  it('delete() removes the key', async () => {
    const store = createRedisStore(client)
    await store.set(KEY, ENTRY, 5000)
    await store.delete(KEY)
    expect(await fx.admin.exists(KEY)).toBe(0)
    expect(await store.get(KEY)).toBeUndefined()
  })

  it('treats a value that is not JSON as a miss and reports it without quoting the value', async () => {
    const reports: [unknown, RedisStoreErrorContext][] = []
    const store = createRedisStore(client, { onError: (error, context) => reports.push([error, context]) })
    await fx.admin.set(KEY, 'not json: secret-looking-value')
    expect(await store.get(KEY)).toBeUndefined()
    expect(reports).toHaveLength(1)
    const [[error, context]] = reports as [[Error, RedisStoreErrorContext]]
    expect(context).toEqual({ operation: 'get', key: KEY })
    expect(error.message).not.toContain('secret-looking-value')
  })

  it('leaves no timer behind once Redis has answered', async () => {
    const store = createRedisStore(client, { timeoutMs: 60_000 })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      await store.set(KEY, ENTRY, 5000)
      await store.get(KEY)
      await store.delete(KEY)
      expect(vi.getTimerCount()).toBe(0) // each call's deadline was cleared when Redis answered
    } finally {
      vi.useRealTimers()
    }
  })

  it('drives an ioredis-style client (set(key, value, "PX", ms)) through fromIoredis', async () => {
    // ioredis's calling convention over a real connection: SET is sent exactly as ioredis would.
    const ioredisLike: IoredisLike = {
      get: (key) => client.get(key),
      set: (key, value, mode, ms) => client.sendCommand(['SET', key, value, mode, String(ms)]),
      del: (key) => client.del(key),
    }
    const store = createRedisStore(fromIoredis(ioredisLike))
    await store.set(KEY, ENTRY, 800)
    const pttl = await fx.admin.pTTL(KEY)
    expect(pttl).toBeGreaterThan(0)
    expect(pttl).toBeLessThanOrEqual(800)
    expect(await store.get(KEY)).toEqual(ENTRY)
    await store.delete(KEY)
    expect(await fx.admin.exists(KEY)).toBe(0)
  })

  it('takes the fleet lock through fromIoredis as set(key, value, "PX", ms, "NX")', async () => {
    const sent: string[][] = []
    const ioredisLike: IoredisLike = {
      get: (key) => client.get(key),
      set: (key: string, value: string, mode: 'PX', ms: number, nx?: 'NX') => {
        const command = ['SET', key, value, mode, String(ms), ...(nx ? [nx] : [])]
        sent.push(command)
        return client.sendCommand(command)
      },
      del: (key) => client.del(key),
    }
    const store = createRedisStore(fromIoredis(ioredisLike))
    expect(await store.lock?.(`${KEY}:lock`, 700)).toBe(true)
    expect(await store.lock?.(`${KEY}:lock`, 700)).toBe(false)
    expect(sent[0]).toEqual(['SET', `${KEY}:lock`, '1', 'PX', '700', 'NX'])
    await store.unlock?.(`${KEY}:lock`)
    expect(await fx.admin.exists(`${KEY}:lock`)).toBe(0)
    // Without publish and duplicate there is no broadcast to offer.
    expect(store.publish).toBeUndefined()
  })
})

describe('createRedisStore with a client that fails', () => {
  it('answers a miss, skips the write, rejects the delete, and reports each failure', async () => {
    const operations: string[] = []
    const store = createRedisStore(closedClient(), {
      onError: (_error, { operation }) => operations.push(operation),
    })
    expect(await store.get(KEY)).toBeUndefined()
    await expect(store.set(KEY, ENTRY, 1000)).resolves.toBeUndefined()
    await expect(store.delete(KEY)).rejects.toBeInstanceOf(Error)
    expect(operations).toEqual(['get', 'set', 'delete'])
  })

  it('survives an onError hook that throws', async () => {
    const store = createRedisStore(closedClient(), {
      onError: () => {
        throw new Error('broken hook')
      },
    })
    expect(await store.get(KEY)).toBeUndefined()
  })

  it('warns once by default, without key material', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const store = createRedisStore(closedClient())
      await store.get(KEY)
      await store.get(KEY)
      expect(warn).toHaveBeenCalledTimes(1)
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/Redis cache store: get failed/)
    } finally {
      warn.mockRestore()
    }
  })

  it('warns once through the logger option when one is given, and not on the console', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const lines: string[] = []
    try {
      const logger = { warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) }
      const store = createRedisStore(closedClient(), { logger })
      await store.get(KEY)
      await store.get(KEY)
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^\[m2m-auth\] Redis cache store: get failed/)
      expect(warn).not.toHaveBeenCalled()
    } finally {
      warn.mockRestore()
    }
  })
})

describe('createRedisStore options', () => {
  it.each([
    ['a client without del', { get: () => Promise.resolve(null), set: () => Promise.resolve('OK') }, {}],
    ['timeoutMs 0', closedClient(), { timeoutMs: 0 }],
    ['a logger without warn', closedClient(), { logger: { error() {} } }],
    ['timeoutMs NaN', closedClient(), { timeoutMs: Number.NaN }],
    ['timeoutMs Infinity', closedClient(), { timeoutMs: Number.POSITIVE_INFINITY }],
    ['a prefix that is not a string', closedClient(), { prefix: 1 }],
    ['an onError that is not a function', closedClient(), { onError: 'log' }],
    ['a misspelt option', closedClient(), { timeout: 5 }],
    ['a lock that is not a boolean', closedClient(), { lock: 'yes' }],
    [
      'broadcast on a client without publish and duplicate',
      { get: () => Promise.resolve(null), set: () => Promise.resolve('OK'), del: () => Promise.resolve(1) },
      { broadcast: true },
    ],
  ])('refuses %s, naming it', (name, client, options) => {
    const build = () => createRedisStore(client as RedisClientLike, options as never)
    const named = name.includes('client') ? /client/ : new RegExp(Object.keys(options)[0] ?? '')
    expect(build).toThrow(named)
  })
})

/** A node-redis client that was never connected: every command fails ("The client is closed"). */
function closedClient(): RedisClient {
  return createClient({ url: 'redis://127.0.0.1:1' })
}
