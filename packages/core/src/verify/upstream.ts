/**
 * The verifier's slow path, once a token is known to be well-formed and not cached in memory: shared
 * store lookup, the upstream verification, and what each outcome does to the caches. Definite
 * negatives are remembered briefly; transient failures are never cached and may fall back to a
 * stale entry only when stale-if-error is on.
 */
import type { LRUCache } from 'lru-cache'
import type { CallPriority } from '../guard/budget.js'
import { conceal, reasonOf } from '../guard/conceal.js'
import type { Refusal, UpstreamGuard } from '../guard/guard.js'
import {
  AuthError,
  InvalidTokenError,
  ServerConfigError,
  TokenServiceUnavailableError,
} from '../http/errors.js'
import type { LibraryLog } from '../logger.js'
import type { SharedCache } from '../store/shared.js'
import type { VerifiedM2MToken } from '../types.js'
import { keepAlive } from './background.js'
import type { CachedEntry, Invalidations, MemoryEntry, NegativeCache } from './cache.js'
import { freezeToken, memoryEntry, positiveEntry } from './cache.js'
import type { TokenFormat } from './classify.js'
import { type Emit, tokenDigest } from './events.js'
import { toAuthError } from './opaque.js'
import type { ResolvedVerifierConfig } from './options.js'

type Counters = Record<
  | 'hits'
  | 'misses'
  | 'negativeHits'
  | 'coalesced'
  | 'upstreamCalls'
  | 'errors'
  | 'staleHits'
  | 'shed'
  | 'shortCircuited',
  number
>
/** `retry: false`: one attempt only (a stale entry is waiting to be served if it fails). */
type FormatVerifier = (token: string, retry?: false) => Promise<VerifiedM2MToken>

/** The state one verifier shares between its fast path and this slow path. */
export interface UpstreamContext {
  config: ResolvedVerifierConfig
  memory: LRUCache<string, MemoryEntry> | undefined
  negative: NegativeCache | undefined
  shared: SharedCache | undefined
  emit: Emit | undefined
  counters: Counters
  /**
   * Marked by `invalidate()`, revocations and broadcasts: outcomes of that token's (or id's)
   * verifications started before are not cached; other tokens' are.
   */
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
  /** Budget, breaker and Retry-After back-off of the verify calls (opaque tokens). */
  guard: UpstreamGuard
  reportConfigError: (error: ServerConfigError) => void
}

/**
 * Builds `lookup(token, format, staleCandidate, request)`: the work behind one cache miss, for
 * `request` (handed to the `waitUntil` option with work the answer does not wait for).
 */
export function createUpstream(ctx: UpstreamContext) {
  const { config, counters, emit } = ctx
  const { now } = config

  return async function lookup(
    token: string,
    format: TokenFormat,
    memoryEntry: CachedEntry | undefined,
    request?: unknown,
  ): Promise<VerifiedM2MToken> {
    const digest = emit === undefined ? undefined : tokenDigest(token)
    const epoch = ctx.invalidations.start()
    // A lookup while the entry is still fresh is a refresh ahead: no request missed.
    const refreshing = memoryEntry !== undefined && now() < memoryEntry.freshUntil
    let stale = memoryEntry
    let key: string | undefined
    if (ctx.shared !== undefined) {
      // The shared store backs the in-memory tier: asked only when memory has no fresh entry. Its
      // key is an HMAC (async): computed once here and passed on to every later store call.
      key = await ctx.shared.keyOf(token)
      let stored = await sharedEntry(key, request)
      // Every process missing at once: one takes the fleet's lock and verifies, the others wait.
      if ((stored === undefined || now() >= stored.freshUntil) && format === 'opaque') {
        stored = (await ctx.shared.claim(key, (entry) => !revokedHere(entry.token.id))) ?? stored
      }
      // Checked again after the waits: a revocation may have been broadcast in between. And newer
      // than what memory holds: a refresh ahead must not take back our own entry.
      const newer = stored !== undefined && stored.freshUntil > (memoryEntry?.freshUntil ?? 0)
      if (stored !== undefined && newer && now() < stored.freshUntil && !revokedHere(stored.token.id)) {
        ctx.shared.release(key)
        counters.hits++
        emit?.('hit', format, token, undefined, digest)
        await keepInMemory(token, stored, digest, epoch)
        return stored.token
      }
      stale = stored ?? stale
    }
    // Verified here (or by the fleet) before, even if dead now: the budget keeps a reserve for it.
    const priority: CallPriority = stale === undefined ? 'new' : 'known'
    if (stale !== undefined && now() >= stale.staleUntil) {
      ctx.memory?.delete(token) // dead: neither fresh nor usable under stale-if-error
      stale = undefined
    }
    if (!refreshing) {
      counters.misses++
      emit?.('miss', format, token, undefined, digest)
    }
    try {
      return await callUpstream(token, format, priority, stale, digest, key, request)
    } finally {
      if (key !== undefined) ctx.shared?.release(key) // after the entry is written, if it is
      if (refreshing) rearm(token, memoryEntry)
    }
  }

  /** The store's entry under `key`, unless its token was revoked through this process. */
  async function sharedEntry(key: string, request: unknown): Promise<CachedEntry | undefined> {
    const stored = await ctx.shared?.get(key)
    if (stored === undefined || !revokedHere(stored.token.id)) return stored
    if (ctx.shared !== undefined) await offPath(ctx.shared.delete(key), request)
    return undefined
  }

  /**
   * A store write or delete, which the answer does not wait for: it settles at once (bounded
   * background work), except on a store with `awaitWrites` (Workers), where work may not outlive
   * the request: there it goes to `waitUntil` with the request, and only without one (or when the
   * hook does not take it) does the answer wait for it.
   */
  async function offPath(work: Promise<void>, request: unknown): Promise<void> {
    if (ctx.shared?.store.awaitWrites !== true) return
    const { waitUntil } = config
    if (waitUntil === undefined || request === undefined || !keepAlive(waitUntil, work, request, ctx.log)) {
      await work
    }
  }

  async function callUpstream(
    token: string,
    format: TokenFormat,
    priority: CallPriority,
    stale: CachedEntry | undefined,
    digest: Promise<string> | undefined,
    key: string | undefined,
    request: unknown,
  ): Promise<VerifiedM2MToken> {
    const epoch = ctx.invalidations.start()
    // JWTs are checked locally (their JWKS fetch has a breaker of its own): no budget needed.
    const admission = format === 'opaque' ? ctx.guard.admit(priority) : undefined
    if (admission?.refused !== undefined) {
      return refuse(token, format, priority, admission, stale, epoch, digest)
    }
    const started = performance.now()
    counters.upstreamCalls++
    let result: VerifiedM2MToken
    try {
      const verifyFormat = format === 'opaque' ? ctx.verifyOpaque : ctx.verifyJwt!
      // With a stale entry to fall back on, a failing call serves it at once, without a retry.
      result = checkMachine(await verifyFormat(token, usable(token, stale, epoch) ? false : undefined))
    } catch (error) {
      const authError = error instanceof AuthError ? error : toAuthError(error)
      admission?.done(authError)
      const durationMs = performance.now() - started
      const reason = authError.status === 401 ? reasonOf(authError) : undefined
      emit?.('upstream', format, token, { durationMs, errorCode: authError.code, reason }, digest)
      return handleFailure(token, format, authError, stale, epoch, digest, key, request)
    }
    admission?.done()
    emit?.('upstream', format, token, { durationMs: performance.now() - started }, digest)
    const frozen = freezeToken(result)
    if (ctx.invalidations.current(epoch, token, frozen.id) && config.cacheEnabled) {
      await remember(token, frozen, digest, key, epoch, request)
    }
    return frozen
  }

  /**
   * A refresh ahead that did not land (shed, refused, failed): the entry it was to replace is still
   * the one in memory, so a hit a quarter of the refresh window later may try again while the entry
   * is fresh. The breaker and the budget bound what those tries cost the token service.
   */
  function rearm(token: string, entry: CachedEntry | undefined): void {
    const held = ctx.memory?.peek(token)
    const retryAt = now() + ctx.refreshWindowMs / 4
    if (held !== undefined && held === entry && retryAt < held.freshUntil) held.refreshAt = retryAt
  }

  function revokedHere(id: string): boolean {
    const until = ctx.revokedIds?.get(id)
    return until !== undefined && now() < until
  }

  /** Belt and braces: both format verifiers check the machine, but the cache must never skip it. */
  function checkMachine(result: VerifiedM2MToken): VerifiedM2MToken {
    const { machineId } = config
    if (machineId !== undefined && !result.scopes.includes(machineId)) {
      throw new InvalidTokenError('The access token is scoped to other machines')
    }
    return result
  }

  async function remember(
    token: string,
    result: VerifiedM2MToken,
    digest: Promise<string> | undefined,
    key: string | undefined,
    epoch: number,
    request: unknown,
  ) {
    const { ttlMs, staleIfErrorMs } = config.cache
    const at = now()
    const entry = positiveEntry(result, at, ttlMs, staleIfErrorMs)
    if (entry === undefined) return
    await keepInMemory(token, entry, digest, epoch)
    if (key === undefined || ctx.shared === undefined) return
    await offPath(ctx.shared.set(key, result, at), request)
  }

  /** The in-memory tier (in front of a shared store, if any): what the hot path reads. */
  async function keepInMemory(
    token: string,
    entry: CachedEntry,
    digest: Promise<string> | undefined,
    epoch: number,
  ) {
    if (ctx.memory === undefined) return
    // Settled by now (computed while upstream answered): hits then emit without waiting.
    const tokenDigest = digest === undefined ? undefined : await digest
    // Dropped (invalidate, revocation, broadcast) while we looked: not put back.
    if (!ctx.invalidations.current(epoch, token, entry.token.id)) return
    ctx.memory.set(token, memoryEntry(entry, tokenDigest, ctx.refreshWindowMs, config.cache.ttlMs))
  }

  async function handleFailure(
    token: string,
    format: TokenFormat,
    error: AuthError,
    stale: CachedEntry | undefined,
    epoch: number,
    digest: Promise<string> | undefined,
    key: string | undefined,
    request: unknown,
  ): Promise<VerifiedM2MToken> {
    if (error instanceof InvalidTokenError) {
      // A definite "no" ends any stale-if-error grace for this token, here and in the store.
      ctx.memory?.delete(token)
      if (key !== undefined && ctx.shared !== undefined) await offPath(ctx.shared.delete(key), request)
      const shown = conceal(error)
      if (ctx.invalidations.current(epoch, token)) ctx.negative?.add(token, format, shown.description)
      logRefusal(reasonOf(shown))
      throw shown
    }
    counters.errors++
    emit?.('error', format, token, { errorCode: error.code }, digest)
    if (error instanceof ServerConfigError) ctx.reportConfigError(error)
    if (error instanceof TokenServiceUnavailableError) {
      // Rate-limited in the log seam: one line per verifier per interval, with a count of the rest.
      ctx.log.outage(`token verification failed: ${error.description}`)
      return staleOr(token, format, error, stale, epoch, digest)
    }
    throw conceal(error)
  }

  /** The guard refused the call: answered at once, from a stale entry where allowed. */
  function refuse(
    token: string,
    format: TokenFormat,
    priority: CallPriority,
    refusal: Refusal,
    stale: CachedEntry | undefined,
    epoch: number,
    digest: Promise<string> | undefined,
  ): VerifiedM2MToken {
    const budget = refusal.refused === 'rate' || refusal.refused === 'in_flight'
    counters[budget ? 'shed' : 'shortCircuited']++
    emit?.('shed', format, token, { reason: refusal.refused }, digest)
    if (budget && priority === 'known') {
      // Not a stranger's flood: the tokens in use need more calls than the budget allows.
      ctx.log.once(
        'budget-known',
        'warn',
        'Re-verifications of tokens in use are shed: they need more verify calls than the budget allows. Each token in use needs about one call per cache.ttlMs; raise cache.ttlMs or budget.ratePerSecond / budget.maxInFlight, or use JWT-format tokens',
      )
    }
    ctx.log.outage(
      budget
        ? 'Token verifications are shed (503): the upstream budget of this verifier is spent (see the budget option)'
        : `Token verifications answer 503 without calling the token service (${refusal.refused.replace('_', ' ')})`,
    )
    return staleOr(token, format, refusal.error, stale, epoch, digest)
  }

  function staleOr(
    token: string,
    format: TokenFormat,
    error: TokenServiceUnavailableError,
    stale: CachedEntry | undefined,
    epoch: number,
    digest: Promise<string> | undefined,
  ): VerifiedM2MToken {
    if (!usable(token, stale, epoch)) throw error
    // Only an entry past its fresh window is a stale hit (a failed refresh ahead keeps a fresh one).
    if (now() >= stale.freshUntil) {
      counters.staleHits++
      emit?.('stale_hit', format, token, undefined, digest)
    }
    return stale.token
  }

  /** The reason of a 401 goes to the log once (answers all say the same); events carry each one. */
  function logRefusal(reason: string): void {
    ctx.log.once(
      `invalid-token:${reason}`,
      'warn',
      `A token was refused (401 invalid_token): ${reason}. Every refusal gets the same answer; further ` +
        'refusals for this reason are not logged (verifier events carry each one, with a token digest).',
    )
  }

  function usable(token: string, stale: CachedEntry | undefined, epoch: number): stale is CachedEntry {
    if (stale === undefined || !ctx.invalidations.current(epoch, token, stale.token.id)) return false
    const at = now()
    return at < stale.staleUntil && at < (stale.token.expiration ?? Number.POSITIVE_INFINITY)
  }
}
