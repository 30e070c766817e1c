/**
 * createRedisStore: a `CacheStore` for the verifier backed by Redis, so that every process of an API
 * shares one cache. Redis is an optimisation, never a dependency of correctness: a slow, failing or
 * unreachable Redis turns into cache misses within `timeoutMs`, and requests go on upstream.
 */
import { type CachedEntry, type CacheStore, createLibraryLog, type Logger } from '@m2m-auth/core'
import { hasMethods, type RedisClientLike } from './client.js'
import { type RedisStoreOperation, withTimeout } from './timeout.js'

/** The default of {@link RedisStoreOptions.timeoutMs}. */
export const DEFAULT_REDIS_TIMEOUT_MS = 50

/** What {@link RedisStoreOptions.onError} is told besides the error. */
export interface RedisStoreErrorContext {
  operation: RedisStoreOperation
  /** The full Redis key (prefix + `m2m:v1:<scope digest>:<token digest>`): digests only. */
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
export function createRedisStore(client: RedisClientLike, options: RedisStoreOptions = {}): CacheStore {
  const { prefix, timeoutMs, onError } = checkOptions(client, options)
  const report = (error: unknown, operation: RedisStoreOperation, key: string): void => {
    try {
      onError(error, { operation, key })
    } catch {
      // A failing error hook must not turn a cache problem into a failed request.
    }
  }

  async function get(key: string): Promise<CachedEntry | undefined> {
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

  async function set(key: string, entry: CachedEntry, ttlMs: number): Promise<void> {
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

  return Object.freeze({ get, set, delete: del })
}

/** The parsed entry, or `undefined` when `raw` is not JSON (the verifier checks the shape). */
function parseEntry(raw: unknown): CachedEntry | undefined {
  if (typeof raw !== 'string') return undefined
  try {
    return JSON.parse(raw) as CachedEntry
  } catch {
    // Not rethrown: the parser's message quotes the value, and values are not ours to log.
    return undefined
  }
}

function checkOptions(
  client: RedisClientLike,
  options: RedisStoreOptions,
): Required<Omit<RedisStoreOptions, 'logger'>> {
  if (!hasMethods(client, ['get', 'set', 'del'])) {
    throw new TypeError(
      'createRedisStore: the client must have get, set and del methods (a node-redis 5 client, or fromIoredis(redis))',
    )
  }
  const { prefix = '', timeoutMs = DEFAULT_REDIS_TIMEOUT_MS, logger } = options
  if (logger !== undefined && (typeof logger?.warn !== 'function' || typeof logger.error !== 'function')) {
    throw new TypeError('createRedisStore: options.logger must have warn and error functions')
  }
  const onError = options.onError ?? warnOnce(logger)
  if (typeof prefix !== 'string') throw new TypeError('createRedisStore: options.prefix must be a string')
  // setTimeout's own limit: larger delays fire at once.
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0 && timeoutMs <= 2_147_483_647)) {
    throw new RangeError('createRedisStore: options.timeoutMs must be a number of milliseconds above 0')
  }
  if (typeof onError !== 'function')
    throw new TypeError('createRedisStore: options.onError must be a function')
  return { prefix, timeoutMs, onError }
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
