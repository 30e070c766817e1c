/**
 * createVerifier: ties classification, the caches, single-flight, opaque and JWT verification
 * together. Built once per app (options checked, client and caches created); `verify()` on a cached
 * token is a map lookup and a clock read, with no hashing and no allocation beyond its promise.
 */
import { LRUCache } from 'lru-cache'
import { createClient } from '../client/client.js'
import type { M2MCallOptions, RevokeTokenParams } from '../client/types.js'
import { INVALID_TOKEN_DESCRIPTION } from '../guard/conceal.js'
import { createUpstreamGuard } from '../guard/guard.js'
import { InvalidTokenError } from '../http/errors.js'
import { createLibraryLog } from '../logger.js'
import { createFleet } from '../store/fleet.js'
import type { M2MToken, VerifiedM2MToken } from '../types.js'
import { ANY_TOKEN, type AuthRule, type AuthRuleOptions, applyAuthRule, ruleOf } from './authorize.js'
import { createMemoryCache, Invalidations, type MemoryEntry, NegativeCache, SingleFlight } from './cache.js'
import { classifyToken } from './classify.js'
import { createEmitter } from './events.js'
import { type CacheDecision, createHitPath, isEntry, type SyncAuthResult } from './hit.js'
import { createJwtVerifier } from './jwt.js'
import { createOpaqueVerifier } from './opaque.js'
import { type ResolvedVerifierConfig, resolveConfig, type VerifierOptions } from './options.js'
import { createRefresher } from './refresh.js'
import { reportOnce, warnAnyMachine } from './report.js'
import { createUpstream, type UpstreamContext } from './upstream.js'

/** Counters since the verifier was built; see `VerifierEvent` for what each outcome means. */
export interface VerifierStats {
  /** Answered from a fresh valid entry. */
  hits: number
  /** No fresh entry: this call started a verification (followers count as `coalesced`). */
  misses: number
  /** Answered "invalid" from the negative cache. */
  negativeHits: number
  /** Joined a verification of the same token already in flight. */
  coalesced: number
  /** Verifications run: Clerk API calls for opaque tokens, local signature checks for JWTs. */
  upstreamCalls: number
  /** Upstream verifications that ended without a definite answer (503 class) or with a 500. */
  errors: number
  /** Answered from a stale entry while the token service failed (stale-if-error). */
  staleHits: number
  /** Verify calls not made because the upstream budget was spent (503, or a stale entry). */
  shed: number
  /** Verify calls not made because the breaker was open or a `Retry-After` was running. */
  shortCircuited: number
  /** Background re-verifications started by refresh ahead (each also counts as a `miss`). */
  refreshes: number
  /** Valid entries held in memory (expired ones count until they are looked up or evicted). */
  size: number
  /** Negative entries held in memory. */
  negativeSize: number
  /** Entries or messages from the shared store that were not ours (tampered, foreign), ignored. */
  storeRejected: number
  /** Calls to the shared store that failed; each request went on without the store. */
  storeErrors: number
}

/**
 * Options of {@link Verifier.authenticate}: the rule the request must satisfy (`scope`, `callers`,
 * `authorize`, `optional`). Compiled on first use and remembered per options object: build it once
 * (or compile it with `createAuthRule()`) rather than per request, and pass a new object to change it.
 */
export interface AuthenticateOptions<TRequest = unknown> extends AuthRuleOptions<TRequest> {}

/** A verifier of Clerk M2M tokens. Build one per app with {@link createVerifier}. */
export interface Verifier {
  /** Verifies a raw token. Rejects only with `AuthError`s; never calls upstream for non-M2M strings. */
  verify(token: string): Promise<VerifiedM2MToken>
  /**
   * `parseBearer` + `verify` + the rule (`scope`, `callers`, `authorize`): 401, 400, 403, 503 or 500
   * as `AuthError`s; an `authorize` hook's own exception is passed on as it is. `request` is handed
   * to the hook, and to the `waitUntil` option with the background work this call starts (a
   * refresh ahead, a store write on Workers). Resolves `null` only for a request without
   * credentials where `optional` is set and nothing is required.
   */
  authenticate<TRequest = unknown>(
    authorizationHeader: string | null | undefined,
    options?: AuthenticateOptions<TRequest> & { optional?: false },
    request?: TRequest,
  ): Promise<VerifiedM2MToken>
  authenticate<TRequest = unknown>(
    authorizationHeader: string | null | undefined,
    options: AuthenticateOptions<TRequest> | AuthRule<TRequest>,
    request?: TRequest,
  ): Promise<VerifiedM2MToken | null>
  /**
   * The synchronous hit path of {@link Verifier.authenticate}, for adapters: answers what needs no
   * I/O (a fresh cached token, a 403 on it, a malformed header, a cached "no") with the same
   * outcome `authenticate` would have, returning (not throwing) the `AuthError`, and `NOT_CACHED`
   * for everything else (then call `authenticate`). Build `rule` once with `createAuthRule`; a
   * rule with an `authorize` hook is always `NOT_CACHED` (the hook needs the request, may be async).
   * `request` goes to the `waitUntil` option with a refresh ahead this hit starts.
   */
  authenticateSync(
    authorizationHeader: string | null | undefined,
    rule?: AuthRule<never>,
    request?: unknown,
  ): SyncAuthResult
  /**
   * Forgets everything cached about `token` (memory, negative cache and shared store), and in every
   * process sharing the store when it can broadcast. Rejects when the store's delete fails.
   */
  invalidate(token: string): Promise<void> | void
  /**
   * Revokes a token through this verifier's own client (same key, API URL and timeouts) and drops it
   * from this verifier's caches at once (later requests with it are refused without a call), and in
   * every process sharing a store that can broadcast (Redis pub/sub); revocation made elsewhere
   * takes effect within `ttlMs`. Needs a key allowed to revoke it (the issuing machine's `ak_` or the instance `sk_`).
   */
  revokeToken(params: RevokeTokenParams, callOptions?: M2MCallOptions): Promise<M2MToken>
  stats(): VerifierStats
}

/**
 * Builds a verifier. Options are checked here, once (`M2MConfigError` naming the option).
 *
 * @example
 * ```ts
 * const verifier = createVerifier({ secretKey: 'ak_...', machineId: 'mch_...' })
 * const token = await verifier.authenticate(request.headers.get('authorization'), { scope: 'mch_...' })
 * token.subject // the calling machine
 * ```
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const config = resolveConfig(options)
  const { now } = config
  const memory = config.cacheEnabled ? createMemoryCache(config.cache.max, config.cache.maxBytes) : undefined
  const negative =
    config.cacheEnabled && config.cache.negativeTtlMs > 0
      ? new NegativeCache(config.cache.negativeMax, config.cache.negativeTtlMs, now)
      : undefined
  const flights = config.singleFlight ? new SingleFlight<VerifiedM2MToken>() : undefined
  const emit = createEmitter(config.onEvent)
  const { client, verify: verifyCall } = buildClient(config, options.fetch)
  const log = createLibraryLog(config.logger, now)
  const fleet = createFleet(config, log, emit)
  const shared = fleet?.shared
  const ctx: UpstreamContext = {
    config,
    memory,
    negative,
    shared,
    emit,
    counters: {
      hits: 0,
      misses: 0,
      negativeHits: 0,
      coalesced: 0,
      upstreamCalls: 0,
      errors: 0,
      staleHits: 0,
      shed: 0,
      shortCircuited: 0,
    },
    invalidations: new Invalidations(config.cache.negativeMax),
    refreshWindowMs: config.cache.refreshAheadRatio * config.cache.ttlMs,
    revokedIds: shared === undefined ? undefined : new LRUCache({ max: config.cache.negativeMax }),
    verifyOpaque: createOpaqueVerifier({ verify: verifyCall, deadlineMs: config.deadlineMs, now }),
    verifyJwt: buildJwt(config),
    log,
    guard: createUpstreamGuard(config),
    reportConfigError: reportOnce(config, log),
  }
  if (config.anyMachine) warnAnyMachine(log)
  const { counters } = ctx
  const warnJwtOff = () =>
    ctx.log.once(
      'jwt-off',
      'warn',
      'A JWT-format M2M token was refused (401): JWT verification is off because no key can ' +
        'verify it (a Machine Secret Key, ak_, cannot fetch the JWKS). Set the `jwtKey` option (PEM ' +
        'public key) or use the instance Secret Key (sk_) to accept JWTs, or pass `jwt: false` to ' +
        'silence this warning.',
    )
  const lookup = createUpstream(ctx)
  const refresher =
    ctx.refreshWindowMs > 0
      ? createRefresher({ lookup, flights, waitUntil: config.waitUntil, log: ctx.log })
      : undefined
  // The hot path: a fresh in-memory entry, counted as a hit, or `undefined`. No hashing.
  const { freshEntry, knownRefusal, decide, authenticateSync } = createHitPath({
    memory,
    negative,
    now,
    counters,
    emit,
    refresher,
  })

  function verify(token: string): Promise<VerifiedM2MToken> {
    return freshEntry(token)?.promise ?? verifySlow(token)
  }

  async function verifySlow(token: string, request?: unknown): Promise<VerifiedM2MToken> {
    const refusal = knownRefusal(token)
    if (refusal !== undefined) throw refusal
    const format = classifyToken(token)!
    if (format === 'jwt' && ctx.verifyJwt === undefined) {
      if (options.jwt === undefined) warnJwtOff()
      throw new InvalidTokenError(INVALID_TOKEN_DESCRIPTION)
    }
    // A present but no longer fresh entry may still serve under stale-if-error.
    const stale = memory?.get(token)
    if (flights === undefined) return lookup(token, format, stale, request)
    const inflight = flights.get(token)
    if (inflight === undefined) return flights.run(token, lookup(token, format, stale, request))
    counters.coalesced++
    emit?.('coalesced', format, token)
    return inflight
  }

  // Not `async`: on the hot path a settled cached promise is returned as is, without another wrap.
  function authenticate(
    header: string | null | undefined,
    opts: AuthenticateOptions<unknown> | AuthRule<unknown> = ANY_TOKEN,
    request?: unknown,
  ): Promise<VerifiedM2MToken | null> {
    let rule: AuthRule<unknown>
    let decision: CacheDecision
    try {
      rule = ruleOf(opts)
      // Scope and caller checks of a hit run synchronously: a cache hit costs no extra promise.
      decision = decide(header, rule, request)
    } catch (error) {
      return Promise.reject(error)
    }
    if (decision === null) return Promise.resolve(null)
    if (typeof decision === 'string') {
      const verified = verifySlow(decision, request)
      if (!rule.requiresToken) return verified
      return verified.then((result) => applyAuthRule(rule, result, request))
    }
    if (!isEntry(decision)) return Promise.reject(decision)
    if (rule.hooks.length === 0) return decision.promise
    return Promise.resolve(applyAuthRule(rule, decision.token, request))
  }

  function invalidate(token: string): Promise<void> | void {
    dropToken(token)
    emit?.('invalidate', classifyToken(token), token)
    if (fleet !== undefined) return fleet.invalidate(token)
  }

  /** Forgets `token` in this process (memory, negative cache, in-flight sharing). */
  function dropToken(token: string): void {
    // Results of this token's verifications already in flight must not repopulate what we drop.
    ctx.invalidations.invalidateToken(token)
    flights?.forget(token)
    memory?.delete(token)
    negative?.delete(token)
  }

  async function revokeToken(params: RevokeTokenParams, callOptions?: M2MCallOptions): Promise<M2MToken> {
    const revoked = await client.revokeToken(params, callOptions)
    forgetId(params.m2mTokenId)
    await fleet?.revoked(params.m2mTokenId)
    return revoked
  }

  /** Drops every cached result of token `id`; revocation is rare, so a scan beats an index. */
  function forgetId(id: string): void {
    ctx.invalidations.invalidateId(id)
    if (memory !== undefined) {
      const doomed: [string, MemoryEntry][] = []
      for (const [token, entry] of memory.entries()) if (entry.token.id === id) doomed.push([token, entry])
      for (const [token, entry] of doomed) {
        memory.delete(token)
        // Revocation is final: the next request is refused at once, without a store or Clerk call.
        negative?.add(token, entry.token.format, INVALID_TOKEN_DESCRIPTION) // no oracle: one description
      }
    }
    const { ttlMs, staleIfErrorMs } = config.cache
    ctx.revokedIds?.set(id, now() + ttlMs + staleIfErrorMs)
  }

  function stats(): VerifierStats {
    const store = fleet?.counters ?? { storeRejected: 0, storeErrors: 0 }
    const refreshes = refresher?.count ?? 0
    return { ...counters, ...store, refreshes, size: memory?.size ?? 0, negativeSize: negative?.size ?? 0 }
  }

  fleet?.listen({
    dropToken,
    dropId: forgetId,
    reset() {
      // Revocations may have been missed while the channel was down: start over from the store.
      ctx.invalidations.invalidateAll()
      memory?.clear()
    },
  })

  return Object.freeze({ verify, authenticate, authenticateSync, invalidate, revokeToken, stats }) as Verifier
}

/** `fetch` only when the caller gave one: else the client uses the runtime's transport (undici on Node). */
function buildClient(config: ResolvedVerifierConfig, fetch: VerifierOptions['fetch']) {
  return createClient({
    secretKey: config.secretKey,
    apiUrl: config.apiUrl,
    apiVersion: config.apiVersion,
    pathStyle: config.pathStyle,
    timeoutMs: config.timeoutMs,
    retry: config.retry,
    fetch,
    now: config.now,
  })
}

function buildJwt(config: ResolvedVerifierConfig): UpstreamContext['verifyJwt'] {
  if (config.jwt === undefined) return undefined
  return createJwtVerifier({
    apiUrl: config.apiUrl,
    secretKey: config.secretKey,
    jwtKey: config.jwtKey,
    fetch: config.fetch,
    timeoutMs: config.timeoutMs,
    clockSkewMs: config.clockSkewMs,
    now: config.now,
    machineId: config.machineId,
    maxAgeMs: config.jwt.maxAgeMs,
    cooldownMs: config.jwt.cooldownMs,
    shareInFlight: config.singleFlight,
    breaker: config.breaker,
  })
}
