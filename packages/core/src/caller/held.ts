/**
 * The token a source holds and the times that rule it (soft and hard windows), and the backoff
 * between failed create calls. Pure functions of the clock: the source sets no timers, so nothing
 * is left running in a serverless runtime and tests move a fake clock instead of sleeping.
 */
import { M2MApiError } from '../client/errors.js'
import { brand } from '../errors.js'
import type { M2MToken } from '../types.js'

/** The current token and when it stops being handed out without a refresh. */
export interface HeldToken {
  readonly token: string
  readonly id: string
  /** A settled promise of `token`, built once: the hot path returns it without allocating. */
  readonly promise: Promise<string>
  /** Local expiry (ms since the epoch), `Infinity` for a token that never expires. */
  readonly expiresAt: number
  /** From here callers still get this token, and one background create replaces it. */
  readonly softAt: number
  /** From here this token is never handed out: callers wait for a new one. */
  readonly hardAt: number
}

/** The windows of one source, in milliseconds before expiry. */
export interface Windows {
  refreshBeforeMs: number
  hardRefreshBeforeMs: number
}

/**
 * Holds a created token. Expiry is measured on our clock, since Clerk's `expiration` and `createdAt`
 * are on its clock: a fresh token lives the lifetime Clerk granted (`expiration - createdAt`) from
 * when we sent the request (`sentAt`), whatever the skew between the clocks. A token Clerk may have
 * reused (`minRemainingTtlSeconds` set) can be older than this call: then it ends at its
 * `expiration`, but never before `sentAt + minRemainingMs`, which Clerk guarantees it had left.
 * The windows shrink for short lifetimes, so that a token is used for at least half of its life
 * before a refresh starts.
 */
export function holdToken(
  created: M2MToken,
  sentAt: number,
  windows: Windows,
  minRemainingMs = Number.POSITIVE_INFINITY,
): HeldToken {
  if (typeof created.token !== 'string' || created.token === '') throw unusable('without a token')
  const expiresAt =
    created.expiration === null
      ? Number.POSITIVE_INFINITY
      : Math.min(
          sentAt + (created.expiration - created.createdAt),
          Math.max(created.expiration, sentAt + minRemainingMs),
        )
  const remaining = expiresAt - sentAt
  // A token that is expired on arrival would make every caller start another create call.
  if (!(remaining > 0)) throw unusable('with a token that has already expired')
  const soft = Math.min(windows.refreshBeforeMs, remaining / 2)
  const hard = Math.min(windows.hardRefreshBeforeMs, remaining / 4)
  return {
    token: created.token,
    id: created.id,
    promise: Promise.resolve(created.token),
    expiresAt,
    softAt: expiresAt - soft,
    hardAt: expiresAt - hard,
  }
}

/** A 201 we cannot use: Clerk did not say no, so it is handled like an outage (backoff, riding). */
function unusable(what: string): M2MApiError {
  return new M2MApiError({
    status: 201,
    errors: [{ code: 'malformed_response', message: `Clerk API answered a create ${what}` }],
    malformedResponse: true,
  })
}

/** First pause after a failed create call, in milliseconds; doubles per further failure. @default 1000 */
export const CREATE_BACKOFF_INITIAL_MS = 1000
/** Longest pause between failed create calls, in milliseconds (a `Retry-After` may ask for more). @default 60000 */
export const CREATE_BACKOFF_MAX_MS = 60_000

/**
 * The pause before the next create call after `failures` failures in a row: "equal jitter" (half
 * the ceiling plus a random half), so that a fleet failing together spreads out, yet each process
 * keeps a minimum spacing; never shorter than the server's `Retry-After`.
 */
export function createBackoffMs(failures: number, error: unknown, random: () => number): number {
  const ceiling = Math.min(CREATE_BACKOFF_MAX_MS, CREATE_BACKOFF_INITIAL_MS * 2 ** Math.max(0, failures - 1))
  const r = Math.min(Math.max(random(), 0), 1)
  const jittered = Math.floor(ceiling / 2 + (r * ceiling) / 2)
  const retryAfterMs = error instanceof M2MApiError ? (error.retryAfterMs ?? 0) : 0
  return Math.max(jittered, retryAfterMs)
}

/**
 * Clerk refused the source's Machine Secret Key (401, or 403 for a key that may not create tokens).
 * Still an `M2MApiError` (status, errors, trace id), with a message that says what to fix; never
 * the key.
 *
 * @example
 * ```ts
 * try { await source.getToken() } catch (e) {
 *   if (e instanceof M2MKeyRejectedError) alertOps(e.message) // rotate CLERK_MACHINE_SECRET_KEY
 * }
 * ```
 */
export class M2MKeyRejectedError extends M2MApiError {
  static {
    brand(M2MKeyRejectedError, 'M2MKeyRejectedError')
  }

  constructor(cause: M2MApiError) {
    super({
      status: cause.status,
      errors: cause.errors,
      clerkTraceId: cause.clerkTraceId,
      retryAfterMs: cause.retryAfterMs,
    })
    this.message =
      `Clerk refused this token source's Machine Secret Key (HTTP ${cause.status}): check the ` +
      'secretKey option or CLERK_MACHINE_SECRET_KEY (it must be a current ak_ key of this instance)'
  }
}

/** The error a caller sees for a failed create: a refused key says so; anything else as the client threw it. */
export function callerError(error: unknown): unknown {
  if (
    error instanceof M2MApiError &&
    !error.malformedResponse &&
    (error.status === 401 || error.status === 403)
  ) {
    return new M2MKeyRejectedError(error)
  }
  return error
}
