/**
 * What a shared store (Redis, the Workers Cache API, a Map in a test) has to offer the verifier:
 * three required methods, and optional capabilities that a fleet uses when they are there (a short
 * lock for fleet-wide single-flight, a broadcast channel for invalidation). A store without them
 * still shares verified answers; it just cannot coalesce across processes or spread revocations.
 */

/**
 * A value as handed to a {@link CacheStore}: JSON-serializable, bound to the verifier's secret key.
 * `body` is the JSON of the verified token and the time it was verified (never the raw token);
 * `mac` is an HMAC-SHA-256 of the store key and `body` under a key derived from the secret key, so
 * whoever can write to the store cannot mint identities or move an entry to another token's key.
 */
export interface SealedEntry {
  /** Format version. */
  v: 2
  /** JSON of `{ token, verifiedAt }`. */
  body: string
  /** Lower-case hex HMAC-SHA-256 of `<key>\n<body>`. */
  mac: string
}

/** Receives what arrives on a store's broadcast channel. Neither callback may throw. */
export interface StoreListener {
  /** One message, exactly as published. */
  message(text: string): void
  /**
   * The subscription became active (at first, and again after a lost connection): messages may have
   * been missed in between, so the verifier drops what it holds in memory.
   */
  reset(): void
}

/**
 * A shared store for verified tokens, behind the in-memory LRU. Keys look like
 * `m2m:v2:<scope id>:<HMAC(token) hex>`; values are {@link SealedEntry}s, which never include the
 * raw token. Methods may answer synchronously or with a promise; a store that throws or rejects is
 * treated as a miss (`get`) or reported to the logger (`set`, `delete`).
 *
 * The optional members are capabilities: `lock` + `unlock` give fleet-wide single-flight (one
 * upstream call for a token that every process misses at once), `publish` + `subscribe` spread
 * `invalidate()` and `revokeToken()` to every process sharing the store.
 *
 * @example
 * ```ts
 * const store: CacheStore = {
 *   async get(key) { const v = await redis.get(key); return v ? JSON.parse(v) : undefined },
 *   async set(key, entry, ttlMs) { await redis.set(key, JSON.stringify(entry), { PX: ttlMs }) },
 *   async delete(key) { await redis.del(key) },
 * }
 * ```
 */
export interface CacheStore {
  /** The value stored under `key`, or `undefined`. Anything else than a valid entry is ignored. */
  get(key: string): SealedEntry | undefined | Promise<SealedEntry | undefined>
  /** `ttlMs` is how long the entry stays useful (fresh plus stale window); expire it after that. */
  set(key: string, entry: SealedEntry, ttlMs: number): void | Promise<void>
  delete(key: string): void | Promise<void>
  /**
   * Takes the lock `key` for `ttlMs` if nobody holds it (Redis: `SET key 1 NX PX ttlMs`): `true`
   * when this call took it. Optional; with `unlock`, enables fleet-wide single-flight.
   */
  lock?(key: string, ttlMs: number): boolean | Promise<boolean>
  /** Releases a lock taken by {@link CacheStore.lock}. */
  unlock?(key: string): void | Promise<void>
  /** Sends `message` to every subscriber of `channel` (Redis: `PUBLISH`). Optional. */
  publish?(channel: string, message: string): void | Promise<void>
  /** Listens on `channel`; answers the function that stops listening. Optional, with `publish`. */
  subscribe?(channel: string, listener: StoreListener): () => void
  /**
   * `true` where the runtime may cancel work that outlives a request and a request may not wait on
   * another request's I/O (Cloudflare Workers): the verifier then hands each write and delete to
   * the `waitUntil` option with the request that made it, or, without one, awaits it within that
   * request, instead of running it in the background.
   * @default false
   */
  readonly awaitWrites?: boolean
}
