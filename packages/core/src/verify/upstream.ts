/**
 * The verifier's slow path, once a token is known to be well-formed and not cached in memory: shared
 * store lookup, the upstream verification, and what each outcome does to the caches. Definite
 * negatives are remembered briefly; transient failures are never cached and may fall back to a
 * stale entry only when stale-if-error is on.
 */
import type { LRUCache } from 'lru-cache'
import {
  AuthError,
  InvalidTokenError,
  ServerConfigError,
  TokenServiceUnavailableError,
} from '../http/errors.js'
import type { LibraryLog } from '../logger.js'
import type { VerifiedM2MToken } from '../types.js'
import type { CachedEntry, Invalidations, MemoryEntry, NegativeCache } from './cache.js'
import { freezeToken, memoryEntry, positiveEntry } from './cache.js'
import type { TokenFormat } from './classify.js'
import { type Emit, tokenDigest } from './events.js'
import { toAuthError } from './opaque.js'
import type { ResolvedVerifierConfig } from './options.js'
import type { SharedCache } from './store.js'

type Counters = Record<
  'hits' | 'misses' | 'negativeHits' | 'coalesced' | 'upstreamCalls' | 'errors' | 'staleHits',
  number
>
type FormatVerifier = (token: string) => Promise<VerifiedM2MToken>

/** The state one verifier shares between its fast path and this slow path. */
export interface UpstreamContext {
  config: ResolvedVerifierConfig
  memory: LRUCache<string, MemoryEntry> | undefined
  negative: NegativeCache | undefined
  shared: SharedCache | undefined
  emit: Emit | undefined
  counters: Counters
  /** Marked by `invalidate()`: outcomes of that token's verifications started before are not cached. */
  invalidations: Invalidations
  /** Refresh ahead starts this long before an entry's fresh window ends (0: off). */
  refreshWindowMs: number
  /**
   * Ids revoked through this verifier, until their shared-store entries would have expired anyway:
   * a shared store is keyed by token digest, so it cannot be searched by id.
   */
  revokedIds: LRUCache<string, number> | undefined
  verifyOpaque: FormatVerifier
  /** `undefined` when JWT-format tokens are rejected. */
  verifyJwt: FormatVerifier | undefined
  /** The verifier's log: configuration messages once, outage lines rate-limited. */
  log: LibraryLog
  reportConfigError: (error: ServerConfigError) => void
}

/** Builds `lookup(token, format, staleCandidate)`: the work behind one cache miss. */
export function createUpstream(ctx: UpstreamContext) {
  const { config, counters, emit } = ctx
  const { now } = config

  return async function lookup(
    token: string,
    format: TokenFormat,
    memoryEntry: CachedEntry | undefined,
  ): Promise<VerifiedM2MToken> {
    const digest = emit === undefined ? undefined : tokenDigest(token)
    let stale = memoryEntry
    if (ctx.shared !== undefined) {
      // The shared store backs the in-memory tier: asked only when memory has no fresh entry.
      let stored = await ctx.shared.get(token)
      if (stored !== undefined && revokedHere(stored.token.id)) {
        await ctx.shared.delete(token).catch(() => undefined)
        stored = undefined
      }
      // Newer than what memory holds: a refresh ahead must not take back our own entry.
      const newer = stored !== undefined && stored.freshUntil > (memoryEntry?.freshUntil ?? 0)
      if (stored !== undefined && newer && now() < stored.freshUntil) {
        counters.hits++
        emit?.('hit', format, token, undefined, digest)
        await keepInMemory(token, stored, digest)
        return stored.token
      }
      stale = stored ?? stale
    }
    if (stale !== undefined && now() >= stale.staleUntil) {
      ctx.memory?.delete(token) // dead: neither fresh nor usable under stale-if-error
      stale = undefined
    }
    counters.misses++
    emit?.('miss', format, token, undefined, digest)
    return callUpstream(token, format, stale, digest)
  }

  async function callUpstream(
    token: string,
    format: TokenFormat,
    stale: CachedEntry | undefined,
    digest: Promise<string> | undefined,
  ): Promise<VerifiedM2MToken> {
    const epoch = ctx.invalidations.start()
    const started = performance.now()
    counters.upstreamCalls++
    let result: VerifiedM2MToken
    try {
      const verifyFormat = format === 'opaque' ? ctx.verifyOpaque : ctx.verifyJwt!
      result = checkMachine(await verifyFormat(token))
    } catch (error) {
      const authError = error instanceof AuthError ? error : toAuthError(error)
      const durationMs = performance.now() - started
      emit?.('upstream', format, token, { durationMs, errorCode: authError.code }, digest)
      return handleFailure(token, format, authError, stale, epoch, digest)
    }
    emit?.('upstream', format, token, { durationMs: performance.now() - started }, digest)
    const frozen = freezeToken(result)
    if (ctx.invalidations.current(epoch, token, frozen.id) && config.cacheEnabled) {
      await remember(token, frozen, digest)
    }
    return frozen
  }

  function revokedHere(id: string): boolean {
    const until = ctx.revokedIds?.get(id)
    return until !== undefined && now() < until
  }

  /** Belt and braces: both format verifiers check the machine, but the cache must never skip it. */
  function checkMachine(result: VerifiedM2MToken): VerifiedM2MToken {
    const { machineId } = config
    if (machineId !== undefined && !result.scopes.includes(machineId)) {
      throw new InvalidTokenError('The access token is not intended for this machine')
    }
    return result
  }

  async function remember(token: string, result: VerifiedM2MToken, digest: Promise<string> | undefined) {
    const { ttlMs, staleIfErrorMs } = config.cache
    const at = now()
    const entry = positiveEntry(result, at, ttlMs, staleIfErrorMs)
    if (entry === undefined) return
    await keepInMemory(token, entry, digest)
    if (ctx.shared !== undefined) await ctx.shared.set(token, entry, at)
  }

  /** The in-memory tier (in front of a shared store, if any): what the hot path reads. */
  async function keepInMemory(token: string, entry: CachedEntry, digest: Promise<string> | undefined) {
    if (ctx.memory === undefined) return
    // Settled by now (computed while upstream answered): hits then emit without waiting.
    const tokenDigest = digest === undefined ? undefined : await digest
    ctx.memory.set(token, memoryEntry(entry, tokenDigest, ctx.refreshWindowMs))
  }

  async function handleFailure(
    token: string,
    format: TokenFormat,
    error: AuthError,
    stale: CachedEntry | undefined,
    epoch: number,
    digest: Promise<string> | undefined,
  ): Promise<VerifiedM2MToken> {
    if (error instanceof InvalidTokenError) {
      // A definite "no" ends any stale-if-error grace for this token, here and in the store.
      ctx.memory?.delete(token)
      if (ctx.shared !== undefined) await ctx.shared.delete(token).catch(() => undefined)
      if (ctx.invalidations.current(epoch, token)) ctx.negative?.add(token, format, error.description)
      throw error
    }
    counters.errors++
    emit?.('error', format, token, { errorCode: error.code }, digest)
    if (error instanceof ServerConfigError) ctx.reportConfigError(error)
    if (error instanceof TokenServiceUnavailableError && usable(token, stale, epoch)) {
      counters.staleHits++
      emit?.('stale_hit', format, token, undefined, digest)
      return stale.token
    }
    throw error
  }

  function usable(token: string, stale: CachedEntry | undefined, epoch: number): stale is CachedEntry {
    if (stale === undefined || !ctx.invalidations.current(epoch, token, stale.token.id)) return false
    const at = now()
    return at < stale.staleUntil && at < (stale.token.expiration ?? Number.POSITIVE_INFINITY)
  }
}
