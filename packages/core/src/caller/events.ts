/**
 * Token source events for metrics and logs. They carry the token's id (`mt_...`, the handle used
 * to list or revoke it, not a credential), never the token; a failing listener never affects a
 * caller.
 */

/**
 * Why a create call started:
 * - `initial`: there was no token yet; `expired`: the current one reached its hard window or was
 *   invalidated;
 * - `refresh`: background refresh in the soft window (callers are served the current token);
 * - `forced`: `getToken({ forceRefresh: true })`.
 */
export type TokenSourceRefreshReason = 'initial' | 'expired' | 'refresh' | 'forced'

/**
 * - `create`: a create call started (`reason`).
 * - `created`: it succeeded (`tokenId`, `expiresAt`, `durationMs`).
 * - `create_failed`: it failed (`errorCode`, `status` for API errors, `durationMs`, `retryInMs`: the
 *   backoff before the next attempt).
 * - `served_stale`: a caller got the current token while creating its successor keeps failing.
 * - `rejected`: a caller was rejected (no usable token, and creating one failed or is backing off).
 * - `invalidate`: `invalidate()` dropped the current token.
 */
export type TokenSourceEventType =
  | 'create'
  | 'created'
  | 'create_failed'
  | 'served_stale'
  | 'rejected'
  | 'invalidate'

/** One token source event. Never contains a token or a secret key. */
export interface TokenSourceEvent {
  type: TokenSourceEventType
  reason?: TokenSourceRefreshReason
  /** The token's id (`mt_...` for opaque tokens), when one is concerned. */
  tokenId?: string
  /** Local expiry of the new token, in milliseconds since the epoch (`null`: never). */
  expiresAt?: number | null
  durationMs?: number
  /** `code` of the error (`m2m_api_error`, `m2m_network_error`, ...). */
  errorCode?: string
  /** HTTP status of an API error. */
  status?: number
  /** Milliseconds before the next create attempt may start. */
  retryInMs?: number
}

/** Receives token source events. Exceptions and rejected promises are swallowed. */
export type TokenSourceEventListener = (event: TokenSourceEvent) => void

/** Builds the emitter of one source; a no-op when no listener is set. */
export function createSourceEmitter(
  listener: TokenSourceEventListener | undefined,
): (event: TokenSourceEvent) => void {
  if (listener === undefined) return () => undefined
  return (event) => {
    try {
      const result: unknown = listener(event)
      if (result instanceof Promise) result.catch(() => undefined)
    } catch {
      // A broken metrics hook must not fail a caller.
    }
  }
}
