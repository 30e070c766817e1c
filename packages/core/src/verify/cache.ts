/**
 * The verifier's caches: the positive store (in-memory LRU by default, or a `CacheStore` such as
 * Redis), a separate and smaller negative LRU, and single-flight of in-flight verifications.
 * Freshness is tracked per entry with the verifier's clock (not with lru-cache's `ttl`) because an
 * entry's window ends at `min(ttlMs, expiration)` and stale-if-error keeps it past that window.
 */
import { LRUCache } from 'lru-cache'
import type { VerifiedM2MToken } from '../types.js'
import type { TokenFormat } from './classify.js'

/**
 * A positive cache entry of the memory tier (a shared store holds them sealed, see `SealedEntry`).
 * Never contains the raw token (a `VerifiedM2MToken` carries the token id, not the token).
 */
export interface CachedEntry {
  token: VerifiedM2MToken
  /** Milliseconds since the epoch: served as a cache hit before this instant. */
  freshUntil: number
  /**
   * Milliseconds since the epoch: until then the entry may still answer when the token service
   * fails transiently (stale-if-error). Equal to `freshUntil` when stale-if-error is off.
   */
  staleUntil: number
}

/** The shared store's interface lives with the store tier (`store/types.ts`). */
export type { CacheStore, SealedEntry, StoreListener } from '../store/types.js'

/** An in-memory positive entry: also holds the settled promise that every hit returns. */
export interface MemoryEntry extends CachedEntry {
  promise: Promise<VerifiedM2MToken>
  /** Digest of the token for events, computed once at the miss (only when `onEvent` is set). */
  digest: string | undefined
  /**
   * From this instant a hit starts one background re-verification (refresh ahead). Set to
   * `Infinity` once that refresh started, and when a refresh could not extend the entry; set again,
   * a quarter window on, when the refresh ended without replacing the entry.
   */
  refreshAt: number
}

/**
 * How far before its window an entry's refresh may start: each entry's refresh point is drawn
 * between the window's start and a quarter of the window earlier, so that tokens verified together
 * (a deploy, a cold start, a burst of new callers) are not re-verified together every `ttlMs` after,
 * as a burst that a token service's rate limit would refuse and that would open (and let time out)
 * a socket per call. The draws differ at every refresh, so the tokens' phases keep spreading. Never
 * later than the window's start: a hit in the window always finds its refresh started, and the
 * whole window is left for the re-verification to answer (about 3% more calls at the default ratio).
 */
const REFRESH_SPREAD = 0.25

/**
 * The memory entry for `entry`. Refresh ahead starts `refreshWindowMs` before the fresh window ends,
 * or up to a quarter of that earlier (drawn per entry, see {@link REFRESH_SPREAD}; never earlier
 * than the window leaves room for within `ttlMs`), but only when a re-verification could extend the
 * entry (the token outlives the window).
 */
export function memoryEntry(
  entry: CachedEntry,
  digest: string | undefined,
  refreshWindowMs: number,
  ttlMs: number,
  random: () => number = Math.random,
): MemoryEntry {
  const { token, freshUntil, staleUntil } = entry
  const extensible = refreshWindowMs > 0 && (token.expiration ?? Number.POSITIVE_INFINITY) > freshUntil
  const earlier = REFRESH_SPREAD * random() * Math.min(refreshWindowMs, Math.max(0, ttlMs - refreshWindowMs))
  const refreshAt = extensible ? freshUntil - refreshWindowMs - earlier : Number.POSITIVE_INFINITY
  return { token, freshUntil, staleUntil, promise: Promise.resolve(token), digest, refreshAt }
}

/**
 * Builds the in-memory positive LRU, bounded by `max` entries and by `maxBytes` (an estimate of
 * each entry's heap footprint, see {@link entryBytes}).
 */
export function createMemoryCache(max: number, maxBytes: number): LRUCache<string, MemoryEntry> {
  return new LRUCache<string, MemoryEntry>({
    max,
    maxSize: maxBytes,
    sizeCalculation: (entry, key) => entryBytes(key, entry.token),
  })
}

/**
 * Fixed heap cost of one entry, measured on Node 20 (`pnpm bench`, bytes per cached token): the LRU
 * slot, the entry, its settled promise, the frozen token and its scopes array.
 */
const ENTRY_OVERHEAD_BYTES = 600

/**
 * Estimated bytes held by one cached token: the fixed overhead plus its strings (one byte per
 * character, as V8 stores ASCII) and its claims as JSON. Computed once per miss, never on a hit.
 */
export function entryBytes(key: string, token: VerifiedM2MToken): number {
  let bytes = ENTRY_OVERHEAD_BYTES + key.length + token.id.length + token.subject.length
  for (const scope of token.scopes) bytes += scope.length + 16
  if (token.claims !== null && token.claims !== undefined) bytes += JSON.stringify(token.claims).length * 2
  return Math.ceil(bytes)
}

/**
 * The entry for a freshly verified token, or `undefined` when it is not worth caching (it expires
 * now). Fresh for `min(ttlMs, expiration - now)`; stale-usable for `staleIfErrorMs` more, but never
 * past the token's own expiration.
 */
export function positiveEntry(
  token: VerifiedM2MToken,
  now: number,
  ttlMs: number,
  staleIfErrorMs: number,
): CachedEntry | undefined {
  const expiration = token.expiration ?? Number.POSITIVE_INFINITY
  const freshUntil = Math.min(now + ttlMs, expiration)
  if (freshUntil <= now) return undefined
  return { token, freshUntil, staleUntil: Math.min(freshUntil + staleIfErrorMs, expiration) }
}

/** What the negative LRU remembers of a definite "no": enough to answer the same way again. */
export interface NegativeEntry {
  until: number
  format: TokenFormat
  description: string
}

/**
 * Definite negatives (unknown, revoked, expired, wrong machine), remembered for `ttlMs` in an LRU of
 * their own so that a flood of garbage tokens can never evict good entries.
 */
export class NegativeCache {
  readonly #lru: LRUCache<string, NegativeEntry>
  readonly #ttlMs: number
  readonly #now: () => number

  constructor(max: number, ttlMs: number, now: () => number) {
    this.#lru = new LRUCache<string, NegativeEntry>({ max })
    this.#ttlMs = ttlMs
    this.#now = now
  }

  /** The live entry for `token`, dropping it when it has expired. */
  get(token: string): NegativeEntry | undefined {
    const entry = this.#lru.get(token)
    if (entry === undefined) return undefined
    if (this.#now() < entry.until) return entry
    this.#lru.delete(token)
    return undefined
  }

  add(token: string, format: TokenFormat, description: string): void {
    if (this.#ttlMs > 0) this.#lru.set(token, { until: this.#now() + this.#ttlMs, format, description })
  }

  delete(token: string): void {
    this.#lru.delete(token)
  }

  get size(): number {
    return this.#lru.size
  }
}

/**
 * Shares one in-flight verification per key: the promise is cached while it runs and dropped as
 * soon as it settles, so a rejection is never served to later callers.
 */
export class SingleFlight<T> {
  readonly #inflight = new Map<string, Promise<T>>()

  get(key: string): Promise<T> | undefined {
    return this.#inflight.get(key)
  }

  run(key: string, promise: Promise<T>): Promise<T> {
    this.#inflight.set(key, promise)
    const drop = (): void => {
      if (this.#inflight.get(key) === promise) this.#inflight.delete(key)
    }
    promise.then(drop, drop)
    return promise
  }

  /** Stops sharing `key`: later callers start a new verification (used by `invalidate`). */
  forget(key: string): void {
    this.#inflight.delete(key)
  }
}

/**
 * Which in-flight verifications may still write their outcome to the caches. `invalidate(token)`
 * and `revokeToken({ m2mTokenId })` mark one token (or one token id) with a sequence number; a
 * verification that started before that mark must not cache its outcome, while verifications of
 * every other token are unaffected. Marks live in bounded LRUs: when one is evicted, the floor rises
 * to its number, so forgetting a mark can only ever make us cache less, never more.
 */
export class Invalidations {
  #seq = 0
  #floor = 0
  readonly #tokens: LRUCache<string, number>
  readonly #ids: LRUCache<string, number>

  constructor(max: number) {
    const raise = (seq: number, _key: string, reason: LRUCache.DisposeReason): void => {
      if (reason === 'evict' && seq > this.#floor) this.#floor = seq
    }
    this.#tokens = new LRUCache<string, number>({ max, dispose: raise })
    this.#ids = new LRUCache<string, number>({ max, dispose: raise })
  }

  /** A ticket for a verification starting now. */
  start(): number {
    return this.#seq
  }

  invalidateToken(token: string): void {
    this.#tokens.set(token, ++this.#seq)
  }

  invalidateId(id: string): void {
    this.#ids.set(id, ++this.#seq)
  }

  /** Every verification in flight: none may cache its outcome (the fleet channel reconnected). */
  invalidateAll(): void {
    this.#floor = ++this.#seq
  }

  /** Whether a verification of `token` started with `ticket` may still cache its outcome. */
  current(ticket: number, token: string, id?: string): boolean {
    if (ticket === this.#seq) return true // nothing was marked since it started (the common case)
    if (ticket < this.#floor) return false
    const byToken = this.#tokens.get(token)
    if (byToken !== undefined && byToken > ticket) return false
    const byId = id === undefined ? undefined : this.#ids.get(id)
    return byId === undefined || byId <= ticket
  }
}

/**
 * Freezes a verified token (and its scopes and claims) before it is shared: every cache hit
 * returns the same object, so one request must not be able to alter what the next one sees.
 */
export function freezeToken(token: VerifiedM2MToken): VerifiedM2MToken {
  Object.freeze(token.scopes)
  deepFreeze(token.claims, 0)
  return Object.freeze(token)
}

function deepFreeze(value: unknown, depth: number): void {
  // Claims are JSON (no cycles); the depth bound only guards against absurd nesting.
  if (typeof value !== 'object' || value === null || depth > 64 || Object.isFrozen(value)) return
  for (const member of Object.values(value)) deepFreeze(member, depth + 1)
  Object.freeze(value)
}
