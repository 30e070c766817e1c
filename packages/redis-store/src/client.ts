/**
 * The few Redis commands the store needs, as structural types: a node-redis 5 client satisfies
 * {@link RedisClientLike} as is, so this package imports no Redis library at run time. ioredis
 * spells `SET ... PX` differently; {@link fromIoredis} adapts it.
 */

/**
 * The expiry options passed to {@link RedisClientLike.set}. node-redis 5 reads `expiration`;
 * `PX` carries the same value because node-redis 4 reads only that (and 5 ignores it when
 * `expiration` is present). Without either, entries would never expire.
 */
export interface RedisSetOptions {
  expiration: { type: 'PX'; value: number }
  PX: number
}

/**
 * What {@link createRedisStore} calls: `GET`, `SET key value PX ms` and `DEL`, each answering with
 * a promise. A node-redis 5 client (`createClient()`, connected) fits without an adapter.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true })
 * client.on('error', () => {}) // node-redis throws on an 'error' event with no listener
 * await client.connect()
 * const store = createRedisStore(client)
 * ```
 */
export interface RedisClientLike {
  /** `GET key`: the stored string, or `null` when there is none. */
  get(key: string): PromiseLike<string | null | undefined>
  /** `SET key value PX ms`. */
  set(key: string, value: string, options: RedisSetOptions): PromiseLike<unknown>
  /** `DEL key`. */
  del(key: string): PromiseLike<unknown>
}

/** The ioredis methods {@link fromIoredis} uses (an `ioredis` `Redis` or `Cluster` fits). */
export interface IoredisLike {
  get(key: string): PromiseLike<string | null>
  set(key: string, value: string, mode: 'PX', milliseconds: number): PromiseLike<unknown>
  del(key: string): PromiseLike<unknown>
}

/**
 * Adapts an ioredis client, whose `set` takes the expiry as positional arguments
 * (`set(key, value, 'PX', ms)`), to {@link RedisClientLike}.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * const store = createRedisStore(fromIoredis(new Redis(process.env.REDIS_URL)))
 * ```
 */
export function fromIoredis(redis: IoredisLike): RedisClientLike {
  if (!hasMethods(redis, ['get', 'set', 'del'])) {
    throw new TypeError('fromIoredis: the client must have get, set and del methods')
  }
  return {
    get: (key) => redis.get(key),
    set: (key, value, options) => redis.set(key, value, 'PX', options.expiration.value),
    del: (key) => redis.del(key),
  }
}

/** True when `value` is an object with a function under each of `names`. */
export function hasMethods(value: unknown, names: readonly string[]): boolean {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false
  const record = value as Record<string, unknown>
  return names.every((name) => typeof record[name] === 'function')
}
