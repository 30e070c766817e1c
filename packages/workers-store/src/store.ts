/**
 * createWorkersStore: a `CacheStore` on the Workers Cache API (`caches.default`), so that the
 * isolates of one Cloudflare location share verified answers. The verifier seals what it stores
 * (HMAC keys, MAC'd values, freshness recomputed by the reader), so whoever can write to the cache
 * cannot mint identities. The Cache API is per location and has no lock and no pub/sub: no
 * fleet-wide single-flight, and revocations elsewhere take effect within `ttlMs`.
 */
import { type CacheStore, checkKnownKeys, type SealedEntry, WORKERS_STORE_OPTION_KEYS } from '@m2m-auth/core'

/** The part of the Workers `Cache` interface the store uses (`caches.default` fits). */
export interface WorkersCacheLike {
  match(request: string): Promise<Response | undefined>
  put(request: string, response: Response): Promise<void>
  delete(request: string): Promise<boolean>
}

/** Options of {@link createWorkersStore}. */
export interface WorkersStoreOptions {
  /**
   * The cache to use, or a function answering it (called on first use; e.g.
   * `() => caches.open('m2m-auth')`).
   * @default `caches.default`
   */
  cache?: WorkersCacheLike | (() => WorkersCacheLike | Promise<WorkersCacheLike>)
  /**
   * The URL prefix of the cache keys: a host of your own zone keeps them apart from your pages.
   * @default 'https://m2m-auth.invalid/'
   */
  baseUrl?: string
}

/** The default of {@link WorkersStoreOptions.baseUrl}. */
export const DEFAULT_WORKERS_STORE_BASE_URL = 'https://m2m-auth.invalid/'

/** Raised (and reported by the verifier, rate-limited) when there is no Cache API to use. */
export class WorkersCacheUnavailableError extends Error {
  override readonly name = 'WorkersCacheUnavailableError'
  constructor() {
    super('The Workers Cache API (caches.default) is not available in this runtime')
  }
}

/**
 * Builds a shared cache store for `createVerifier({ cache: { store } })` / `m2mAuth({ cache: { store } })`.
 * Every call that fails (no Cache API, `match`/`put` throwing) rejects; the verifier then treats a
 * read as a miss, skips the write, and goes on through Clerk, logging the problem (rate-limited).
 *
 * @example
 * ```ts
 * import { m2mAuth } from '@m2m-auth/hono'
 * import { createWorkersStore } from '@m2m-auth/workers-store'
 *
 * const store = createWorkersStore() // caches.default, on first use
 * app.use('/api/*', m2mAuth({ secretKey: '...', cache: { ttlMs: 5000, store } }))
 * ```
 */
export function createWorkersStore(options: WorkersStoreOptions = {}): CacheStore {
  const { cache, baseUrl } = checkOptions(options)
  let opened: Promise<WorkersCacheLike> | undefined
  const open = (): Promise<WorkersCacheLike> => {
    opened ??= resolveCache(cache).catch((error: unknown) => {
      opened = undefined // try again on the next call: the API may appear (tests, late bindings)
      throw error
    })
    return opened
  }
  const url = (key: string) => baseUrl + encodeURIComponent(key)

  return Object.freeze({
    // Workers may cancel work that outlives the request: the verifier awaits our writes.
    awaitWrites: true,
    async get(key: string): Promise<SealedEntry | undefined> {
      const response = await (await open()).match(url(key))
      if (response === undefined) return undefined
      try {
        return (await response.json()) as SealedEntry
      } catch {
        return undefined // not JSON: not ours (the verifier would reject it anyway)
      }
    },
    async set(key: string, entry: SealedEntry, ttlMs: number): Promise<void> {
      // The Cache API counts in whole seconds; the verifier recomputes freshness on read anyway.
      const maxAge = Math.max(1, Math.ceil(ttlMs / 1000))
      const response = new Response(JSON.stringify(entry), {
        headers: { 'content-type': 'application/json', 'cache-control': `max-age=${maxAge}` },
      })
      await (await open()).put(url(key), response)
    },
    async delete(key: string): Promise<void> {
      await (await open()).delete(url(key))
    },
  })
}

async function resolveCache(cache: WorkersStoreOptions['cache']): Promise<WorkersCacheLike> {
  if (typeof cache === 'function') return cache()
  if (cache !== undefined) return cache
  const storage = (globalThis as { caches?: { default?: WorkersCacheLike } }).caches
  if (storage?.default === undefined) throw new WorkersCacheUnavailableError()
  return storage.default
}

function checkOptions(options: WorkersStoreOptions): {
  cache: WorkersStoreOptions['cache']
  baseUrl: string
} {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createWorkersStore: options must be an object')
  }
  checkKnownKeys(options, WORKERS_STORE_OPTION_KEYS)
  const { cache, baseUrl = DEFAULT_WORKERS_STORE_BASE_URL } = options
  if (cache !== undefined && typeof cache !== 'function' && !isCache(cache)) {
    throw new TypeError('createWorkersStore: options.cache must have match, put and delete methods')
  }
  if (typeof baseUrl !== 'string' || !/^https?:\/\/[^/]+\/(.*\/)?$/.test(baseUrl)) {
    throw new TypeError('createWorkersStore: options.baseUrl must be an http(s) URL ending in /')
  }
  return { cache, baseUrl }
}

function isCache(value: unknown): value is WorkersCacheLike {
  const v = value as Record<string, unknown> | null
  return (
    typeof v === 'object' && v !== null && ['match', 'put', 'delete'].every((m) => typeof v[m] === 'function')
  )
}
