/**
 * A Map-backed `CacheStore` for the verifier tests, standing in for Redis: values are kept as JSON
 * strings (so nothing is shared by reference, as with a real store), and the optional lock and
 * broadcast capabilities behave like `SET NX PX` and pub/sub. Several verifiers given the same
 * store act as several processes of one fleet.
 */
import type { CacheStore, SealedEntry, StoreListener } from '../../src/index.js'

export interface MapStore extends CacheStore {
  data: Map<string, { entry: string; ttlMs: number }>
  locks: Set<string>
  published: string[]
  /** Delivers `text` on `channel` as if another process had published it. */
  deliver(channel: string, text: string): void
  /** Tells every subscriber that the subscription came back (as after a reconnect). */
  resetAll(): void
  /** The channels someone listens on. */
  channels(): string[]
  /** How many listeners there are, on all channels. */
  subscribers(): number
}

export interface MapStoreOptions {
  /** Answer through promises instead of synchronously. @default false */
  async?: boolean
  /** Offer `lock`/`unlock` and `publish`/`subscribe`. @default false */
  fleet?: boolean
}

export function mapStore({ async = false, fleet = false }: MapStoreOptions = {}): MapStore {
  const data = new Map<string, { entry: string; ttlMs: number }>()
  const locks = new Set<string>()
  const published: string[] = []
  const listeners = new Map<string, Set<StoreListener>>()
  const answer = <T>(value: T) => (async ? Promise.resolve(value) : value)
  const deliver = (channel: string, text: string) => {
    for (const listener of listeners.get(channel) ?? []) listener.message(text)
  }
  const store: MapStore = {
    data,
    locks,
    published,
    deliver,
    resetAll: () => {
      for (const set of listeners.values()) for (const listener of set) listener.reset()
    },
    channels: () => [...listeners.keys()],
    subscribers: () => [...listeners.values()].reduce((n, set) => n + set.size, 0),
    get: (key) => {
      const found = data.get(key)
      return answer(found ? (JSON.parse(found.entry) as SealedEntry) : undefined)
    },
    set: (key, entry, ttlMs) => answer(void data.set(key, { entry: JSON.stringify(entry), ttlMs })),
    delete: (key) => answer(void data.delete(key)),
  }
  if (!fleet) return store
  return Object.assign(store, {
    lock: (key: string) => answer(!locks.has(key) && locks.add(key) !== undefined),
    unlock: (key: string) => answer(void locks.delete(key)),
    publish: (channel: string, message: string) => {
      published.push(message)
      // Like Redis: delivered to subscribers (the publisher's own included) after the call returns.
      return Promise.resolve().then(() => deliver(channel, message))
    },
    subscribe: (channel: string, listener: StoreListener) => {
      const set = listeners.get(channel) ?? new Set()
      set.add(listener)
      listeners.set(channel, set)
      queueMicrotask(() => listener.reset())
      return () => set.delete(listener)
    },
  })
}
