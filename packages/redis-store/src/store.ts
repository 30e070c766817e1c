/**
 * createRedisStore: a `CacheStore` for the verifier backed by Redis, so that every process of an API
 * shares one cache. Redis is an optimisation, never a dependency of correctness: a slow, failing or
 * unreachable Redis turns into cache misses within `timeoutMs`, and requests go on upstream.
 */
import {
  type CacheStore,
  checkKnownKeys,
  createLibraryLog,
  type Logger,
  REDIS_STORE_OPTION_KEYS,
  type SealedEntry,
  type StoreListener,
} from '@m2m-auth/core'
import { hasMethods, type RedisClientLike } from './client.js'
import { createSubscriber } from './subscriber.js'
import { type RedisStoreOperation, withTimeout } from './timeout.js'

/** The default of {@link RedisStoreOptions.timeoutMs}. */
export const DEFAULT_REDIS_TIMEOUT_MS = 50

/** What {@link RedisStoreOptions.onError} is told besides the error. */
export interface RedisStoreErrorContext {
  operation: RedisStoreOperation
  /** The full Redis key or channel (prefix + `m2m:v2:<scope id>:...`): digests only; '' for the connection. */
  key: string
}

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** Prepended to every key, e.g. `'orders-api:'`. @default '' */
  prefix?: string
  /**
   * How long one Redis call may take before the store stops waiting: a `get` then counts as a miss,
   * a `set` is skipped, a `delete` rejects. Every verification with a store waits on one `get`.
   * @default 50
   */
  timeoutMs?: number
  /**
   * Called with every failed or timed-out call (never with a token or a secret key: keys are
   * digests). Must not throw; if it does, the error is ignored.
   * @default logs the first failure once through `logger`, then stays silent
   */
  onError?: (error: unknown, context: RedisStoreErrorContext) => void
  /**
   * Where the default `onError` writes its one line: an object with `warn` and `error` (console,
   * pino, Fastify's logger), usually the verifier's `logger`.
   * @default console
   */
  logger?: Logger
  /**
   * Fleet-wide single-flight: a token that every process misses at once is verified by the one that
   * takes a short lock (`SET <key>:lock 1 NX PX`); the others wait for its entry, at most for their
   * own verification timeout.
   * @default true
   */
  lock?: boolean
  /**
   * Spread `invalidate()` and `revokeToken()` to every process through pub/sub, on a channel scoped
   * like the keys. Opens one more connection (`client.duplicate()`); close it with `store.close()`.
   * Needs a client with `publish` and `duplicate` (node-redis, or ioredis through `fromIoredis`).
   * @default true when the client has `publish` and `duplicate`
   */
  broadcast?: boolean
}

/** A Redis `CacheStore`; `close()` ends the subscriber connection the store opened itself. */
export interface RedisStore extends CacheStore {
  /** Closes the subscriber connection (the client you passed stays yours to close). */
  close(): Promise<void>
}

/**
 * Builds a shared cache store for `createVerifier({ cache: { store } })`. Values are the JSON of the
 * verifier's entries (never the raw token); each is written with `PX` = the entry's useful life.
 * `get` answers `undefined` on a miss, a failure or a timeout; `set` never rejects; `delete`
 * rejects when Redis fails or times out, so that `verifier.invalidate()` tells its caller.
 *
 * @example
 * ```ts
 * import { createVerifier } from '@m2m-auth/core'
 * import { createRedisStore } from '@m2m-auth/redis-store'
 * import { createClient } from 'redis'
 *
 * const redis = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true })
 * redis.on('error', (error) => logger.warn({ error }, 'redis'))
 * await redis.connect()
 * const verifier = createVerifier({ secretKey: 'ak_...', cache: { store: createRedisStore(redis) } })
 * ```
 */
export function createRedisStore(client: RedisClientLike, options: RedisStoreOptions = {}): RedisStore {
  const { prefix, timeoutMs, onError, lock, broadcast } = checkOptions(client, options)
  const report = (error: unknown, operation: RedisStoreOperation, key: string): void => {
    try {
      onError(error, { operation, key })
    } catch {
      // A failing error hook must not turn a cache problem into a failed request.
    }
  }

  async function get(key: string): Promise<SealedEntry | undefined> {
    const fullKey = prefix + key
    let raw: string | null | undefined
    try {
      raw = await withTimeout('get', timeoutMs, () => client.get(fullKey))
    } catch (error) {
      report(error, 'get', fullKey)
      return undefined
    }
    if (raw === null || raw === undefined) return undefined
    const entry = parseEntry(raw)
    if (entry === undefined) report(new TypeError('Redis get: the stored value is not JSON'), 'get', fullKey)
    return entry
  }

  async function set(key: string, entry: SealedEntry, ttlMs: number): Promise<void> {
    const fullKey = prefix + key
    // PX takes a positive integer; the verifier passes at least 1, possibly fractional.
    const ms = Math.ceil(ttlMs)
    if (!Number.isSafeInteger(ms) || ms < 1) {
      report(
        new RangeError(`Redis set: ttlMs must be a positive finite number, got ${ttlMs}`),
        'set',
        fullKey,
      )
      return
    }
    try {
      await withTimeout('set', timeoutMs, () =>
        client.set(fullKey, JSON.stringify(entry), { expiration: { type: 'PX', value: ms }, PX: ms }),
      )
    } catch (error) {
      report(error, 'set', fullKey)
    }
  }

  async function del(key: string): Promise<void> {
    const fullKey = prefix + key
    try {
      await withTimeout('delete', timeoutMs, () => client.del(fullKey))
    } catch (error) {
      report(error, 'delete', fullKey)
      throw error
    }
  }

  const store: RedisStore = { get, set, delete: del, close: async () => undefined }
  if (lock) Object.assign(store, createLock(client, prefix, timeoutMs, report))
  if (broadcast) {
    const subscriber = createSubscriber(client, report)
    Object.assign(store, {
      async publish(channel: string, message: string) {
        const full = prefix + channel
        try {
          await withTimeout('publish', timeoutMs, () => client.publish!(full, message))
        } catch (error) {
          report(error, 'publish', full)
          throw error
        }
      },
      subscribe: (channel: string, listener: StoreListener) =>
        subscriber.subscribe(prefix + channel, listener),
      close: () => subscriber.close(),
    })
  }
  return Object.freeze(store)
}

/** `lock`/`unlock` of the fleet's single-flight: `SET NX PX`, `DEL`. A failure rejects (no lock). */
function createLock(
  client: RedisClientLike,
  prefix: string,
  timeoutMs: number,
  report: (error: unknown, operation: RedisStoreOperation, key: string) => void,
): Pick<CacheStore, 'lock' | 'unlock'> {
  const call = async <T>(operation: RedisStoreOperation, key: string, fn: () => PromiseLike<T>) => {
    try {
      return await withTimeout(operation, timeoutMs, fn)
    } catch (error) {
      report(error, operation, key)
      throw error
    }
  }
  return {
    async lock(key, ttlMs) {
      const full = prefix + key
      const ms = Math.max(1, Math.ceil(ttlMs))
      const options = { expiration: { type: 'PX', value: ms }, PX: ms, condition: 'NX', NX: true } as const
      return (await call('lock', full, () => client.set(full, '1', options))) === 'OK'
    },
    async unlock(key) {
      const full = prefix + key
      await call('unlock', full, () => client.del(full))
    },
  }
}

/** The parsed entry, or `undefined` when `raw` is not JSON (the verifier checks the MAC and shape). */
function parseEntry(raw: unknown): SealedEntry | undefined {
  if (typeof raw !== 'string') return undefined
  try {
    return JSON.parse(raw) as SealedEntry
  } catch {
    // Not rethrown: the parser's message quotes the value, and values are not ours to log.
    return undefined
  }
}

function checkOptions(
  client: RedisClientLike,
  options: RedisStoreOptions,
): Required<Omit<RedisStoreOptions, 'logger'>> {
  // M2MConfigError naming the key, with a suggestion for a near miss (`timeout` -> `timeoutMs`).
  checkKnownKeys(options, REDIS_STORE_OPTION_KEYS)
  if (!hasMethods(client, ['get', 'set', 'del'])) {
    throw new TypeError(
      'createRedisStore: the client must have get, set and del methods (a node-redis client, or fromIoredis(redis))',
    )
  }
  const canBroadcast = typeof client.publish === 'function' && typeof client.duplicate === 'function'
  const {
    prefix = '',
    timeoutMs = DEFAULT_REDIS_TIMEOUT_MS,
    logger,
    lock = true,
    broadcast = canBroadcast,
  } = options
  if (logger !== undefined && (typeof logger?.warn !== 'function' || typeof logger.error !== 'function')) {
    throw new TypeError('createRedisStore: options.logger must have warn and error functions')
  }
  const onError = options.onError ?? warnOnce(logger)
  if (typeof lock !== 'boolean') throw new TypeError('createRedisStore: options.lock must be a boolean')
  if (typeof broadcast !== 'boolean') {
    throw new TypeError('createRedisStore: options.broadcast must be a boolean')
  }
  if (broadcast && !canBroadcast) {
    throw new TypeError(
      'createRedisStore: options.broadcast needs a client with publish and duplicate methods',
    )
  }
  if (typeof prefix !== 'string') throw new TypeError('createRedisStore: options.prefix must be a string')
  // setTimeout's own limit: larger delays fire at once.
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0 && timeoutMs <= 2_147_483_647)) {
    throw new RangeError('createRedisStore: options.timeoutMs must be a number of milliseconds above 0')
  }
  if (typeof onError !== 'function')
    throw new TypeError('createRedisStore: options.onError must be a function')
  return { prefix, timeoutMs, onError, lock, broadcast }
}

/** The default error hook: one line for the first failure, so an outage is seen but not flooded. */
function warnOnce(logger: Logger | undefined): NonNullable<RedisStoreOptions['onError']> {
  const log = createLibraryLog(logger)
  return (error, { operation }) => {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'
    log.once(
      'redis-store',
      'warn',
      `Redis cache store: ${operation} failed (${reason}); verification goes on without ` +
        'the cache. Later failures are not logged: pass onError to createRedisStore to observe them.',
    )
  }
}
