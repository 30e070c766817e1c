/**
 * What the suites share: the emulator as the token service (default machines: `orders-service`
 * sends tokens to `billing-service`), a real redis-server, node-redis clients of their own (as
 * separate processes would have), and verifiers running as `billing-service` on a Redis store.
 */
import { createVerifier, type Verifier, type VerifierOptions } from '@m2m-auth/core'
import { type Emulator, type EmulatorMachine, startEmulator } from '@m2m-auth/emulator'
import { createClient, type RedisClientOptions } from 'redis'
import { afterEach, beforeEach } from 'vitest'
import { type IssuedToken, issueToken } from '../../../test/helpers/emulator.js'
import { loopbackFetch } from '../../../test/helpers/http.js'
import { createRedisStore, type RedisStore, type RedisStoreOptions } from '../src/index.js'
import { type RedisServer, startRedis } from './redis-server.js'

export type RedisClient = ReturnType<typeof createClient>

export interface Fixture {
  emulator: Emulator
  redis: RedisServer
  /** Sends the tokens. */
  caller: EmulatorMachine
  /** The API whose verifiers are under test. */
  api: EmulatorMachine
  /** A connected client of its own; errors it emits (lost connection) are collected, not thrown. */
  connect(options?: Omit<RedisClientOptions, 'url'>): Promise<RedisClient>
  /** A verifier as `api` (its `ak_`, loopback fetch, a quiet logger) on a Redis store with a client of its own. */
  verifier(
    options?: Partial<VerifierOptions>,
    store?: RedisStoreOptions & { client?: RedisClient },
  ): Promise<Verifier>
  /** A fresh opaque token of `caller`, scoped to `api`. */
  token(): Promise<IssuedToken>
  /** Verify requests the emulator has received so far. */
  verifyCalls(): number
  /** Every entry in Redis (SCAN) with its value (GET); the fleet's short-lived `:lock` keys left out. */
  entries(): Promise<Map<string, string>>
  /** Subscribers of every invalidation channel on this Redis (one per verifier once it listens). */
  subscribers(): Promise<number>
  /** The admin client (for PTTL, CLIENT PAUSE...). */
  admin: RedisClient
  close(): Promise<void>
}

/**
 * A fresh fixture per test (own redis-server, so killing or pausing it cannot leak into the next
 * test), closed after it. Call inside a `describe`; read it with the returned function.
 */
export function useFixture(): () => Fixture {
  let current: Fixture | undefined
  beforeEach(async () => {
    current = await startFixture()
  })
  afterEach(async () => {
    const done = current
    current = undefined
    await done?.close()
  })
  return () => {
    if (current === undefined) throw new Error('the fixture did not start (see the error of beforeEach)')
    return current
  }
}

export async function startFixture(): Promise<Fixture> {
  const redis = await startRedis()
  const emulator = await startEmulator({ port: 0, host: '127.0.0.1' })
  const [caller, api] = emulator.machines
  if (!caller || !api) throw new Error('the emulator should start with two machines')
  const clients: RedisClient[] = []
  const stores: RedisStore[] = []

  async function connect(options: Omit<RedisClientOptions, 'url'> = {}): Promise<RedisClient> {
    // A short reconnect delay keeps a killed server from leaving long backoff timers behind.
    const client = createClient({ socket: { reconnectStrategy: () => 100 }, ...options, url: redis.url })
    client.on('error', () => undefined) // node-redis would throw an 'error' event nobody listens to
    clients.push(client)
    await client.connect()
    return client
  }
  const admin = await connect()

  async function countSubscribers(): Promise<number> {
    const channels = (await admin.sendCommand(['PUBSUB', 'CHANNELS', '*m2m:v2:*'])) as string[]
    if (channels.length === 0) return 0
    const counts = (await admin.sendCommand(['PUBSUB', 'NUMSUB', ...channels])) as (string | number)[]
    return counts.filter((_, i) => i % 2 === 1).reduce((sum: number, n) => sum + Number(n), 0)
  }
  async function untilSubscribers(count: number, withinMs = 10_000): Promise<void> {
    const deadline = Date.now() + withinMs
    while ((await countSubscribers()) < count) {
      if (Date.now() > deadline) throw new Error(`the verifier was not listening within ${withinMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  return {
    emulator,
    redis,
    caller,
    api,
    admin,
    connect,
    async verifier(options = {}, { client, ...storeOptions } = {}) {
      const listening = storeOptions.broadcast === false ? undefined : await countSubscribers()
      const store = createRedisStore(client ?? (await connect()), {
        onError: () => undefined,
        // Not the 50 ms default: on a loaded 2-core machine a Redis call may take longer, and a
        // skipped write would fail a test that is not about timeouts (those pass their own).
        timeoutMs: 500,
        ...storeOptions,
      })
      stores.push(store)
      const verifier = createVerifier({
        secretKey: api.secretKey,
        apiUrl: emulator.url,
        fetch: loopbackFetch,
        logger: { warn: () => undefined, error: () => undefined },
        ...options,
        cache: { store, ...(options.cache || {}) },
      })
      // A verifier in steady state, as a process of a running fleet is: listening on the channel.
      // Its subscription coming up drops whatever it has in flight (it may have missed a
      // revocation), so a test that verifies at once could find nothing cached or written.
      if (listening !== undefined) await untilSubscribers(listening + 1)
      return verifier
    },
    token: () => issueToken(emulator.url, caller.secretKey),
    verifyCalls: () => emulator.stats().verify,
    entries: () => readAll(admin),
    subscribers: countSubscribers,
    async close() {
      for (const store of stores) await store.close() // the subscriber connections they opened
      for (const client of clients) client.destroy()
      await redis.stop('SIGKILL') // no persistence to flush; a paused server may not honour SIGTERM
      await emulator.close()
    },
  }
}

async function readAll(client: RedisClient): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  let cursor = '0'
  for (let round = 0; round < 1000; round++) {
    const page = await client.scan(cursor, { COUNT: 100 })
    for (const key of page.keys) if (!key.endsWith(':lock')) found.set(key, (await client.get(key)) ?? '')
    cursor = page.cursor
    if (cursor === '0') return found
  }
  throw new Error('SCAN did not finish within 1000 rounds')
}
