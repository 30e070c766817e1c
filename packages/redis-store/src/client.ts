/**
 * The few Redis commands the store needs, as structural types: a node-redis 5 or 6 client satisfies
 * {@link RedisClientLike} as is, so this package imports no Redis library at run time. ioredis
 * spells `SET ... PX` differently; {@link fromIoredis} adapts it.
 */

/**
 * The expiry options passed to {@link RedisClientLike.set}. node-redis 5 and 6 read `expiration`;
 * `PX` carries the same value because node-redis 4 reads only that (and 5 and 6 ignore it when
 * `expiration` is present). Without either, entries would never expire.
 */
export interface RedisSetOptions {
  expiration: { type: 'PX'; value: number }
  PX: number
  /** Set only when the key does not exist (the fleet lock): node-redis 5 and 6 read `condition`, 4 `NX`. */
  condition?: 'NX'
  NX?: true
}

/**
 * The subscriber connection the store opens with `duplicate()` (node-redis: connect it, then
 * `subscribe(channel, listener)`; `'ready'` after each reconnect, once it has resubscribed).
 */
export interface RedisSubscriberLike {
  /** node-redis needs it; ioredis connects by itself (absent in {@link fromIoredis}). */
  connect?(): PromiseLike<unknown>
  subscribe(channel: string, listener: (message: string, channel: string) => unknown): PromiseLike<unknown>
  // biome-ignore lint/suspicious/noExplicitAny: EventEmitter's own listener type
  on(event: 'ready' | 'error' | 'end', listener: (...args: any[]) => void): unknown
  /** Closes the connection at once (node-redis 5 and 6 `destroy`, 4 `disconnect`). */
  destroy?(): unknown
  disconnect?(): unknown
}

/**
 * What {@link createRedisStore} calls: `GET`, `SET key value PX ms` and `DEL`, each answering with
 * a promise. A node-redis 5 or 6 client (`createClient()`, connected) fits without an adapter.
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
  /** `PUBLISH channel message`: with `duplicate`, spreads invalidations to the fleet. */
  publish?(channel: string, message: string): PromiseLike<unknown>
  /** A new connection with the same options, for the subscriber (which can do nothing else). */
  duplicate?(): RedisSubscriberLike
}

/** The ioredis methods {@link fromIoredis} uses (an `ioredis` `Redis` or `Cluster` fits). */
export interface IoredisLike {
  get(key: string): PromiseLike<string | null>
  set(key: string, value: string, mode: 'PX', milliseconds: number): PromiseLike<unknown>
  set(key: string, value: string, mode: 'PX', milliseconds: number, nx: 'NX'): PromiseLike<unknown>
  del(key: string): PromiseLike<unknown>
  publish?(channel: string, message: string): PromiseLike<unknown>
  duplicate?(): IoredisSubscriberLike
}

/** What {@link fromIoredis} uses of an ioredis subscriber connection. */
export interface IoredisSubscriberLike {
  subscribe(channel: string): PromiseLike<unknown>
  // biome-ignore lint/suspicious/noExplicitAny: EventEmitter's own listener type
  on(event: string, listener: (...args: any[]) => void): unknown
  disconnect(): unknown
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
  const client: RedisClientLike = {
    get: (key) => redis.get(key),
    set: (key, value, options) =>
      options.condition === 'NX'
        ? redis.set(key, value, 'PX', options.expiration.value, 'NX')
        : redis.set(key, value, 'PX', options.expiration.value),
    del: (key) => redis.del(key),
  }
  if (typeof redis.publish === 'function' && typeof redis.duplicate === 'function') {
    client.publish = (channel, message) => redis.publish!(channel, message)
    client.duplicate = () => subscriberFromIoredis(redis.duplicate!())
  }
  return client
}

/** ioredis delivers every channel's messages to one `'message'` event: route them per channel. */
function subscriberFromIoredis(sub: IoredisSubscriberLike): RedisSubscriberLike {
  const listeners = new Map<string, (message: string, channel: string) => unknown>()
  sub.on('message', (channel: string, message: string) => listeners.get(channel)?.(message, channel))
  return {
    subscribe(channel, listener) {
      listeners.set(channel, listener)
      return sub.subscribe(channel)
    },
    on: (event, listener) => sub.on(event === 'end' ? 'close' : event, listener),
    disconnect: () => sub.disconnect(),
  }
}

/** True when `value` is an object with a function under each of `names`. */
export function hasMethods(value: unknown, names: readonly string[]): boolean {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false
  const record = value as Record<string, unknown>
  return names.every((name) => typeof record[name] === 'function')
}
