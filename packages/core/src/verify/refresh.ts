/**
 * Refresh ahead: a hit on an entry in the last part of its fresh window starts one background
 * re-verification and is answered at once, so a token in steady use never makes a request wait for
 * its re-verification. The refresh runs the ordinary miss path (`lookup`), so its outcome updates
 * the caches exactly as a miss would: a valid answer replaces the entry (its freshness counted from
 * that answer, so the revocation bound stays `ttlMs`), a definite "no" drops it, and a transient
 * failure (or a call the guard refused) leaves the current entry to serve until it expires, due
 * again a quarter window later (`lookup` re-arms it). Only hits trigger it: a token nobody presents
 * is never refreshed.
 */
import type { LibraryLog } from '../logger.js'
import type { VerifiedM2MToken } from '../types.js'
import { keepAlive } from './background.js'
import type { MemoryEntry, SingleFlight } from './cache.js'
import type { TokenFormat } from './classify.js'
import type { WaitUntil } from './options.js'

/** What {@link createRefresher} needs from the verifier. */
export interface RefresherOptions {
  /** The miss path: verifies `token` and applies the outcome to the caches. */
  lookup: (
    token: string,
    format: TokenFormat,
    current: MemoryEntry,
    request: unknown,
  ) => Promise<VerifiedM2MToken>
  /**
   * Single-flight of the verifier, if on: a refresh registers there, so a miss of the same token
   * joins it instead of calling again. Off (Cloudflare Workers), the refresh is awaited by nobody.
   */
  flights: SingleFlight<VerifiedM2MToken> | undefined
  /** Told of each refresh with the request that started it (Workers: `ctx.waitUntil`). */
  waitUntil: WaitUntil | undefined
  log: LibraryLog
}

/** Starts refreshes; `count` is how many were started (for `stats()`). */
export interface Refresher {
  /**
   * Starts the background re-verification of `token` unless one already runs for it; `request` is
   * the request whose hit found it due, handed to `waitUntil` with the refresh.
   */
  start(token: string, entry: MemoryEntry, request: unknown): void
  readonly count: number
}

const ignore = (): void => undefined

/**
 * Cloudflare Workers (its documented `navigator.userAgent`): work left for after the response may
 * never run there, and its Node compatibility may provide a global `setImmediate`.
 */
const onWorkers = typeof navigator !== 'undefined' && navigator.userAgent === 'Cloudflare-Workers'

/**
 * Where the runtime has `setImmediate` (Node, Bun), a refresh starts once the current I/O callbacks
 * have run, so the request whose hit found it due is answered before the refresh's own work (the
 * request to build and write); on Workers, and where there is none, it starts at once.
 */
const later: ((run: () => void) => void) | undefined =
  !onWorkers && typeof setImmediate === 'function' ? (run) => void setImmediate(run) : undefined

/**
 * Builds the refresher. `start` is called from the hit path, at most once per entry: it marks the
 * entry (`refreshAt = Infinity`), so the next hits of the same entry do not start another one.
 *
 * @example
 * ```ts
 * const refresher = createRefresher({ lookup, flights, waitUntil: undefined, log })
 * if (now >= entry.refreshAt) refresher.start(token, entry, request)
 * ```
 */
export function createRefresher({ lookup, flights, waitUntil, log }: RefresherOptions): Refresher {
  let count = 0
  return {
    start(token, entry, request) {
      entry.refreshAt = Number.POSITIVE_INFINITY
      // A verification of this token already runs (a miss or another refresh): it will do.
      if (flights?.get(token) !== undefined) return
      count++
      const format = entry.token.format
      const refresh =
        later === undefined
          ? lookup(token, format, entry, request)
          : new Promise<void>((resolve) => later(resolve)).then(() => lookup(token, format, entry, request))
      if (flights !== undefined) flights.run(token, refresh)
      // The outcome is already in the caches; a failure here has no caller to tell.
      const task = refresh.then(ignore, ignore)
      if (waitUntil !== undefined) keepAlive(waitUntil, task, request, log)
    },
    get count() {
      return count
    },
  }
}
