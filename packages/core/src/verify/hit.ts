/**
 * The synchronous hit path: what the verifier can answer without waiting for anything. A fresh
 * cached token, a decision on it (403 from a rule built once with `createAuthRule`), a malformed header, a cached "no" or a
 * string that cannot be an M2M token are all known synchronously; everything else is
 * {@link NOT_CACHED}, and the caller falls back to the async `authenticate()`. An adapter that uses
 * it answers a hit with no promise at all.
 */
import { INVALID_TOKEN_DESCRIPTION } from '../guard/conceal.js'
import { parseBearer } from '../http/bearer.js'
import { AuthError, InvalidTokenError, MissingTokenError } from '../http/errors.js'
import type { Clock, VerifiedM2MToken } from '../types.js'
import { ANY_TOKEN, type AuthRule, checkStatic } from './authorize.js'
import type { MemoryEntry, NegativeCache } from './cache.js'
import { classifyToken } from './classify.js'
import type { Emit } from './events.js'
import type { Refresher } from './refresh.js'

/**
 * Returned by `authenticateSync` when the answer needs I/O (not cached, or cached but stale): call
 * `authenticate()` with the same header and options.
 *
 * @example
 * ```ts
 * if (verifier.authenticateSync(header, rule) === NOT_CACHED) await verifier.authenticate(header)
 * ```
 */
export const NOT_CACHED: unique symbol = Symbol.for('m2m-auth.notCached')

/** The type of {@link NOT_CACHED}. */
export type NotCached = typeof NOT_CACHED

/**
 * What `authenticateSync` answers: the verified token, `null` (optional route, no credentials), the
 * `AuthError` to answer with (returned, not thrown), or {@link NOT_CACHED}.
 */
export type SyncAuthResult = VerifiedM2MToken | null | AuthError | NotCached

/** The verifier state the hit path reads. */
export interface HitPathOptions {
  memory: { get(token: string): MemoryEntry | undefined } | undefined
  negative: NegativeCache | undefined
  now: Clock
  counters: { hits: number; negativeHits: number }
  emit: Emit | undefined
  refresher: Refresher | undefined
}

/** The hit path's functions, shared by `verify`, `authenticate` and `authenticateSync`. */
export interface HitPath {
  /**
   * A fresh in-memory entry, counted as a hit (and refreshed ahead when due, for `request`), or
   * `undefined`.
   */
  freshEntry(token: string, request?: unknown): MemoryEntry | undefined
  /** A definite answer known without I/O (cached "no", not an M2M token), counted; else `undefined`. */
  knownRefusal(token: string): InvalidTokenError | undefined
  /**
   * What memory decides for `header` under the static part of `rule` (scope, callers; hooks are
   * the caller's): see {@link CacheDecision}. The one decision behind `authenticate` and
   * `authenticateSync`. Exceptions other than `AuthError` propagate.
   */
  decide(header: string | null | undefined, rule: AuthRule<never>, request?: unknown): CacheDecision
  authenticateSync(
    header: string | null | undefined,
    rule?: AuthRule<never>,
    request?: unknown,
  ): SyncAuthResult
}

/**
 * `null`: optional route, no credentials. An `AuthError`: the answer (malformed header, or a cached
 * token that fails a static check). A `MemoryEntry`: a fresh hit that passes them. A string: the
 * parsed token, not fresh in memory (the caller looks further).
 */
export type CacheDecision = MemoryEntry | AuthError | string | null

/** Whether a decision is a cache hit (an entry, not an error, a token or null). */
export function isEntry(decision: CacheDecision): decision is MemoryEntry {
  return typeof decision === 'object' && decision !== null && 'freshUntil' in decision
}

/** Builds the hit path over the verifier's caches. */
export function createHitPath(opts: HitPathOptions): HitPath {
  const { memory, negative, now, counters, emit, refresher } = opts

  function freshEntry(token: string, request?: unknown): MemoryEntry | undefined {
    const entry = memory?.get(token)
    if (entry === undefined) return undefined
    const at = now()
    if (at >= entry.freshUntil) return undefined
    counters.hits++
    if (emit !== undefined) emit('hit', entry.token.format, token, undefined, entry.digest)
    if (at >= entry.refreshAt) refresher?.start(token, entry, request)
    return entry
  }

  function knownRefusal(token: string): InvalidTokenError | undefined {
    const no = negative?.get(token)
    if (no !== undefined) {
      counters.negativeHits++
      emit?.('negative_hit', no.format, token)
      return new InvalidTokenError(no.description)
    }
    if (classifyToken(token) !== null) return undefined
    emit?.('malformed', null, undefined, { reason: 'not an M2M token' })
    return new InvalidTokenError(INVALID_TOKEN_DESCRIPTION) // no oracle: one description
  }

  function decide(
    header: string | null | undefined,
    rule: AuthRule<never>,
    request?: unknown,
  ): CacheDecision {
    let token: string
    try {
      token = parseBearer(header)
    } catch (error) {
      // One rule (authorize.ts): optional never lets an anonymous request reach a requirement.
      if (error instanceof MissingTokenError && rule.anonymousAllowed) return null
      return error as AuthError
    }
    const entry = freshEntry(token, request)
    if (entry === undefined) return token
    if (rule.requiresToken) {
      try {
        checkStatic(rule, entry.token)
      } catch (error) {
        if (error instanceof AuthError) return error
        throw error
      }
    }
    return entry
  }

  function authenticateSync(
    header: string | null | undefined,
    rule: AuthRule<never> = ANY_TOKEN,
    request?: unknown,
  ): SyncAuthResult {
    // An `authorize` hook may be async and needs the request: the async path runs it.
    if (rule.hooks.length > 0) return NOT_CACHED
    const decision = decide(header, rule, request)
    if (typeof decision === 'string') return knownRefusal(decision) ?? NOT_CACHED
    return isEntry(decision) ? decision.token : decision
  }

  return { freshEntry, knownRefusal, decide, authenticateSync }
}
