/**
 * createTokenSource: the calling side. Mints an M2M token through the client, shares one create call
 * between every concurrent caller, refreshes ahead of expiry in the background and rides out a
 * failing token service on the token it has. `getToken()` on a current token is one clock read and
 * returns a promise built once, so it can be called per request.
 */
import { createM2MClient } from '../client/client.js'
import { M2MValidationError } from '../client/errors.js'
import { M2MError } from '../errors.js'
import { createLibraryLog } from '../logger.js'
import { createSourceEmitter, type TokenSourceRefreshReason } from './events.js'
import { callerError, createBackoffMs, type HeldToken, holdToken, M2MKeyRejectedError } from './held.js'
import { resolveTokenSourceConfig, type TokenSourceOptions } from './options.js'

/** Options of {@link TokenSource.getToken}. */
export interface GetTokenOptions {
  /**
   * Do not hand out the current token: wait for a new one (joining a create call already in
   * flight). To replace a token the receiver refused, prefer `invalidate(token)` + `getToken()`,
   * which lets concurrent callers that saw the same refusal share one create call.
   * @default false
   */
  forceRefresh?: boolean
}

/** Counters since the source was built. */
export interface TokenSourceStats {
  /** Calls answered at once with the current token (soft window and failing refreshes included). */
  hits: number
  /** Calls that waited for a create call (no token yet, hard window, forced). */
  waits: number
  /** Calls rejected: creating failed, or is backing off, with no usable token. */
  rejections: number
  /** Create calls started. */
  creates: number
  /** Create calls that failed. */
  createFailures: number
  /** Local expiry of the current token (ms since the epoch; `Infinity`: never), `undefined` when none. */
  expiresAt: number | undefined
}

/** A source of M2M tokens for outgoing requests. Build one per sending machine with {@link createTokenSource}. */
export interface TokenSource {
  /** The current token, or a new one when there is none usable. Rejects with the client's error. */
  getToken(options?: GetTokenOptions): Promise<string>
  /** Drops the current token (only when it is `token`, if given): the next call creates one. */
  invalidate(token?: string): void
  stats(): TokenSourceStats
}

/**
 * Builds a token source. Options are checked here, once (`M2MConfigError` naming the option); an
 * instance key (`sk_`) is refused, since only a Machine Secret Key can create tokens.
 *
 * - One create call in flight at a time, shared by every concurrent caller.
 * - In the soft window (`refreshBeforeMs`) callers get the current token at once and one background
 *   create replaces it; in the hard window (`hardRefreshBeforeMs`) callers wait for the new one.
 * - A failed create is retried after a jittered backoff (1 s doubling to 60 s, at least the server's
 *   `Retry-After`); meanwhile the current token is served until its hard window, after which
 *   callers are rejected with the client's error (`M2MKeyRejectedError` when Clerk refuses the key).
 *
 * @example
 * ```ts
 * const source = createTokenSource(resolveTokenSourceOptions({}, env)) // env: the runtime's variables
 * const response = await fetch(url, { headers: { authorization: `Bearer ${await source.getToken()}` } })
 * ```
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const config = resolveTokenSourceConfig(options)
  const { now } = config
  const client = createM2MClient({ ...config.client, retry: config.retry })
  const emit = createSourceEmitter(config.onEvent)
  const log = createLibraryLog(config.logger, now)
  const counters = { hits: 0, waits: 0, rejections: 0, creates: 0, createFailures: 0 }
  let held: HeldToken | undefined
  let flight: Promise<HeldToken> | undefined
  let hadToken = false
  let failures = 0
  let retryAt = Number.NEGATIVE_INFINITY
  let lastError: unknown
  const minRemaining = config.create.minRemainingTtlSeconds
  const minRemainingMs = minRemaining === undefined ? undefined : minRemaining * 1000

  function getToken(getOptions?: GetTokenOptions): Promise<string> {
    // The hot path: a current token before its soft window. One clock read, no allocation.
    if (held !== undefined && getOptions === undefined && now() < held.softAt) {
      counters.hits++
      return held.promise
    }
    if (getOptions !== undefined && !isGetTokenOptions(getOptions)) {
      return Promise.reject(
        new M2MValidationError('options', 'getToken accepts only { forceRefresh?: boolean }'),
      )
    }
    return slowPath(getOptions?.forceRefresh === true)
  }

  function slowPath(force: boolean): Promise<string> {
    const at = now()
    const usable = !force && held !== undefined && at < held.hardAt ? held : undefined
    if (usable !== undefined && at < usable.softAt) {
      counters.hits++
      return usable.promise
    }
    if (flight === undefined && at >= retryAt) startCreate(reasonFor(force, usable))
    if (usable !== undefined) {
      counters.hits++
      if (failures > 0) emit({ type: 'served_stale', tokenId: usable.id })
      return usable.promise
    }
    if (flight === undefined) return rejected(lastError)
    counters.waits++
    return flight.then(tokenOf, rejected)
  }

  function reasonFor(force: boolean, usable: HeldToken | undefined): TokenSourceRefreshReason {
    if (force) return 'forced'
    if (usable !== undefined) return 'refresh'
    return hadToken ? 'expired' : 'initial'
  }

  function startCreate(reason: TokenSourceRefreshReason): void {
    const created = create(reason, now())
    // Background refreshes may have no caller waiting: their failure is handled here, not unhandled.
    created.catch(() => undefined)
    flight = created
    // After `flight` is set: a listener that calls getToken() joins this call instead of starting one.
    counters.creates++
    emit({ type: 'create', reason })
  }

  async function create(reason: TokenSourceRefreshReason, sentAt: number): Promise<HeldToken> {
    try {
      const next = holdToken(await client.createToken(config.create), sentAt, config, minRemainingMs)
      held = next
      hadToken = true
      failures = 0
      retryAt = Number.NEGATIVE_INFINITY
      lastError = undefined
      const expiresAt = Number.isFinite(next.expiresAt) ? next.expiresAt : null
      emit({ type: 'created', reason, tokenId: next.id, expiresAt, durationMs: now() - sentAt })
      return next
    } catch (error) {
      throw failed(error, reason, sentAt)
    } finally {
      flight = undefined
    }
  }

  function failed(error: unknown, reason: TokenSourceRefreshReason, sentAt: number): unknown {
    const toCaller = callerError(error)
    failures++
    counters.createFailures++
    const retryInMs = createBackoffMs(failures, error, Math.random)
    retryAt = now() + retryInMs
    lastError = toCaller
    const code = toCaller instanceof M2MError ? toCaller.code : 'unexpected_error'
    const durationMs = now() - sentAt
    emit({ type: 'create_failed', reason, errorCode: code, ...statusOf(toCaller), durationMs, retryInMs })
    if (toCaller instanceof M2MKeyRejectedError) {
      log.once('token-source-key-rejected', 'error', toCaller.message)
    } else {
      const what = toCaller instanceof M2MError ? toCaller.message : 'an unexpected error'
      const riding = held !== undefined && now() < held.hardAt
      const meanwhile = riding ? 'serving the current token until it expires' : 'callers are rejected'
      log.outage(
        `could not create an M2M token (${what}); next attempt in ${retryInMs} ms at the soonest, ${meanwhile}`,
      )
    }
    return toCaller
  }

  function rejected(error: unknown): Promise<never> {
    counters.rejections++
    emit({ type: 'rejected', errorCode: error instanceof M2MError ? error.code : 'unexpected_error' })
    return Promise.reject(error)
  }

  return {
    getToken,
    invalidate(token?: string): void {
      if (held === undefined || (token !== undefined && token !== held.token)) return
      emit({ type: 'invalidate', tokenId: held.id })
      held = undefined
    },
    stats(): TokenSourceStats {
      return { ...counters, expiresAt: held?.expiresAt }
    },
  }
}

function isGetTokenOptions(value: unknown): value is GetTokenOptions {
  if (typeof value !== 'object' || value === null) return false
  const { forceRefresh, ...rest } = value as Record<string, unknown>
  return Object.keys(rest).length === 0 && (forceRefresh === undefined || typeof forceRefresh === 'boolean')
}

function tokenOf(held: HeldToken): string {
  return held.token
}

function statusOf(error: unknown): { status?: number } {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === 'number' ? { status } : {}
}
