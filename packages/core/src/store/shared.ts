/**
 * A user-supplied `CacheStore` (e.g. Redis) behind the verifier's memory tier. Only reads sit on a
 * request's path (bounded by the store's own timeout); writes and deletes run in the background,
 * a bounded number at a time, with failures going to the logger and events. What comes back is
 * trusted only when its MAC is ours, and its freshness is recomputed from this verifier's policy.
 */
import { LRUCache } from 'lru-cache'
import type { LibraryLog } from '../logger.js'
import type { VerifiedM2MToken } from '../types.js'
import type { CachedEntry } from '../verify/cache.js'
import { freezeToken } from '../verify/cache.js'
import { type CacheScope, createSealer, type Sealer } from './sealed.js'
import type { CacheStore } from './types.js'

/** Background store writes allowed in flight at once; beyond that, writes are skipped. */
export const MAX_PENDING_STORE_WRITES = 64

/** The reader's own policy: what an entry from the store is worth here. */
export interface SharedPolicy {
  ttlMs: number
  staleIfErrorMs: number
  /** How long a miss may wait for another process's verification (and the lock's lifetime). */
  waitMs: number
  /** Tokens whose keys are remembered, so that broadcast messages can name them (cache.max). */
  max: number
  now: () => number
}

/** Counters of the shared tier, merged into the verifier's stats. */
export interface SharedCounters {
  /** Entries read from the store that were not ours: bad MAC, foreign scope, wrong shape. */
  storeRejected: number
  /** Store calls that failed or threw (the request went on without the store). */
  storeErrors: number
}

/** The verifier's view of a shared store: addressed by precomputed key, never throwing. */
export interface SharedCache {
  readonly store: CacheStore
  readonly sealer: Sealer
  readonly counters: SharedCounters
  /** The store key of `token` (an HMAC): compute it once per miss and pass it on. */
  keyOf(token: string): Promise<string>
  /** The token whose key is `key`, if this process computed it recently (broadcast lookups). */
  tokenOf(key: string): string | undefined
  /** The authenticated entry under `key`, freshness per our policy, token frozen; or `undefined`. */
  get(key: string): Promise<CachedEntry | undefined>
  /**
   * Writes in the background (then releases the lock of `key`, if this process holds it); the
   * promise settles at once, or after the write for a store with `awaitWrites`. Never rejects.
   */
  set(key: string, token: VerifiedM2MToken, verifiedAt: number): Promise<void>
  /**
   * Deletes in the background; like {@link SharedCache.set}, the promise settles at once, or after
   * the delete for a store with `awaitWrites`. Never rejects.
   */
  delete(key: string): Promise<void>
  /** Deletes now: for `invalidate()`, whose caller must learn of a failure. */
  deleteNow(key: string): Promise<void>
  /**
   * Fleet-wide single-flight: resolves with another process's fresh entry that `accept` takes, or
   * with `undefined` when we should verify ourselves (holding the lock, or having given up on it).
   */
  claim(key: string, accept: (entry: CachedEntry) => boolean): Promise<CachedEntry | undefined>
  /** Releases the lock of `key` if held (after any pending write of it). */
  release(key: string): void
}

/** Callbacks for store problems: the logger line and the `store_error` / `store_rejected` events. */
export interface SharedReport {
  log: LibraryLog
  error(operation: string): void
  rejected(key: string): void
}

/** Wraps `store` for one verifier. */
export function createSharedCache(
  store: CacheStore,
  scope: CacheScope,
  policy: SharedPolicy,
  report: SharedReport,
): SharedCache {
  const sealer = createSealer(scope)
  const counters: SharedCounters = { storeRejected: 0, storeErrors: 0 }
  const tokens = new LRUCache<string, string>({ max: policy.max })
  const pending = new Map<string, Promise<void>>()
  const held = new Set<string>()
  const canLock = typeof store.lock === 'function' && typeof store.unlock === 'function'

  const failed = (operation: string, error: unknown) => {
    counters.storeErrors++
    const reason = error instanceof Error ? error.name : 'unknown error'
    report.log.outage(`the shared cache store failed (${operation}: ${reason}); going on without it`)
    report.error(operation)
  }

  /**
   * Runs `work` after earlier background work on `key`, unless too much is in flight already. With
   * `awaitWrites` (Workers) nothing is chained across requests: the caller awaits the returned work.
   */
  const background = (key: string, operation: string, work: () => unknown): Promise<void> => {
    if (pending.size >= MAX_PENDING_STORE_WRITES && !pending.has(key)) {
      failed(operation, new Error('BackgroundQueueFull'))
      return Promise.resolve()
    }
    const run = (previous: Promise<void>) =>
      previous.then(work).then(
        () => undefined,
        (error: unknown) => failed(operation, error),
      )
    if (store.awaitWrites === true) return run(Promise.resolve())
    const next = run(pending.get(key) ?? Promise.resolve())
    pending.set(key, next)
    next.then(() => {
      if (pending.get(key) === next) pending.delete(key)
    })
    return Promise.resolve()
  }

  async function get(key: string): Promise<CachedEntry | undefined> {
    let value: unknown
    try {
      value = await store.get(key)
    } catch (error) {
      failed('get', error)
      return undefined // an unreachable store is a miss, not an outage
    }
    if (value === undefined || value === null) return undefined
    const opened = await sealer.open(key, value)
    if (opened === undefined) {
      counters.storeRejected++
      report.rejected(key)
      return undefined
    }
    return freshness(opened.token, opened.verifiedAt, policy)
  }

  function release(key: string): void {
    if (!held.delete(key)) return
    background(key, 'unlock', () => store.unlock?.(`${key}:lock`))
  }

  return {
    store,
    sealer,
    counters,
    async keyOf(token) {
      const key = await sealer.keyOf(token)
      tokens.set(key, token)
      return key
    },
    tokenOf: (key) => tokens.get(key),
    get,
    async set(key, token, verifiedAt) {
      const ttlMs = Math.max(1, (freshness(token, verifiedAt, policy)?.staleUntil ?? 0) - policy.now())
      const written = background(key, 'set', async () =>
        store.set(key, await sealer.seal(key, { token, verifiedAt }), ttlMs),
      )
      release(key)
      await written
    },
    delete: (key) => background(key, 'delete', () => store.delete(key)),
    async deleteNow(key) {
      await store.delete(key)
    },
    async claim(key, accept) {
      if (!canLock) return undefined
      return waitForFleet(key, accept)
    },
    release,
  }

  /** Takes the lock, or waits (bounded) for the holder's entry; gives up by verifying ourselves. */
  async function waitForFleet(
    key: string,
    accept: (entry: CachedEntry) => boolean,
  ): Promise<CachedEntry | undefined> {
    let waitedMs = 0
    for (let round = 0; ; round++) {
      let won: boolean
      try {
        won = (await store.lock?.(`${key}:lock`, policy.waitMs)) === true
      } catch (error) {
        failed('lock', error)
        return undefined // no lock service: verify ourselves
      }
      if (won && round === 0) {
        held.add(key)
        return undefined
      }
      if (won) {
        // The holder is done: its entry may have landed since we last looked. If it left none (a
        // "no", a failure) or died, the waiters verify now, side by side, not one after the other.
        background(key, 'unlock', () => store.unlock?.(`${key}:lock`))
        const entry = await get(key)
        return entry !== undefined && policy.now() < entry.freshUntil && accept(entry) ? entry : undefined
      }
      // Short steps first: the holder's upstream call usually answers within a few milliseconds.
      const stepMs = Math.min(5 * 2 ** round, 25)
      if (waitedMs + stepMs > policy.waitMs) return undefined
      await new Promise((resolve) => setTimeout(resolve, stepMs))
      waitedMs += stepMs
      const entry = await get(key)
      if (entry !== undefined && policy.now() < entry.freshUntil && accept(entry)) return entry
    }
  }
}

/**
 * Freshness by the reader's policy, whatever the writer's was: fresh for `ttlMs` after it was
 * verified (a future `verifiedAt` counts as now), never past the token's expiration.
 */
export function freshness(
  token: VerifiedM2MToken,
  verifiedAt: number,
  policy: Pick<SharedPolicy, 'ttlMs' | 'staleIfErrorMs' | 'now'>,
): CachedEntry | undefined {
  const expiration = token.expiration ?? Number.POSITIVE_INFINITY
  const since = Math.min(verifiedAt, policy.now())
  const freshUntil = Math.min(since + policy.ttlMs, expiration)
  const staleUntil = Math.min(freshUntil + policy.staleIfErrorMs, expiration)
  if (staleUntil <= policy.now()) return undefined
  return { token: freezeToken(token), freshUntil, staleUntil }
}
