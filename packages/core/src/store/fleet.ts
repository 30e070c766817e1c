/**
 * The fleet as one verifier sees it: the shared store tier (sealed entries, fleet-wide single-flight)
 * and its broadcast channel, built from the verifier's resolved options. `verifier.ts` only says
 * what dropping a token means locally; this module says when the rest of the fleet does it too.
 */
import type { LibraryLog } from '../logger.js'
import type { Emit } from '../verify/events.js'
import type { ResolvedVerifierConfig } from '../verify/options.js'
import { type Broadcast, createBroadcast } from './broadcast.js'
import { createSharedCache, type SharedCache, type SharedCounters } from './shared.js'

/** What the verifier does when another process asks (see `BroadcastHandlers`). */
export interface FleetHandlers {
  dropToken(token: string): void
  dropId(id: string): void
  reset(): void
}

/** One verifier's link to the fleet. */
export interface Fleet {
  shared: SharedCache
  counters: SharedCounters
  /** Starts listening on the store's channel, if it has one. */
  listen(handlers: FleetHandlers): void
  /** Deletes the token's entry and tells the fleet; rejects when either fails. */
  invalidate(token: string): Promise<void>
  /** Tells the fleet that token `id` was revoked; a failure is logged, never thrown. */
  revoked(id: string): Promise<void>
}

/** `undefined` when there is no store (or no caching): then nothing is shared. */
export function createFleet(
  config: ResolvedVerifierConfig,
  log: LibraryLog,
  emit: Emit | undefined,
): Fleet | undefined {
  const store = config.cache.store
  if (!config.cacheEnabled || store === undefined) return undefined
  const { ttlMs, staleIfErrorMs, max } = config.cache
  const shared = createSharedCache(
    store,
    config,
    // A waiting process gives up when its own verification would have had to end.
    { ttlMs, staleIfErrorMs, max, waitMs: config.deadlineMs, now: config.now },
    {
      log,
      error: () => emit?.('store_error', null, undefined),
      rejected: () => emit?.('store_rejected', null, undefined),
    },
  )
  let broadcast: Broadcast | undefined

  return {
    shared,
    counters: shared.counters,
    listen(handlers) {
      broadcast = createBroadcast(shared, {
        dropKey(key) {
          const token = shared.tokenOf(key)
          if (token !== undefined) handlers.dropToken(token)
        },
        dropId: handlers.dropId,
        reset: handlers.reset,
      })
    },
    async invalidate(token) {
      const key = await shared.keyOf(token)
      // A failed delete must be visible to the caller of invalidate(): let it reject.
      await Promise.all([shared.deleteNow(key), broadcast?.invalidated(key)])
    },
    async revoked(id) {
      try {
        await broadcast?.revoked(id)
      } catch (error) {
        shared.counters.storeErrors++
        const reason = error instanceof Error ? error.name : 'unknown error'
        log.outage(
          `a revocation could not be broadcast to the fleet (${reason}); others drop it within ttlMs`,
        )
        emit?.('store_error', null, undefined)
      }
    },
  }
}
