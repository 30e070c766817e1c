/**
 * Verifier events for metrics and logs. They carry a short digest of the token, never the token;
 * the digest is computed only when a listener is set, and a failing listener never affects a
 * verification.
 */
import type { AuthErrorCode } from '../http/errors.js'
import type { TokenFormat } from './classify.js'
import { sha256Hex } from './store.js'

/**
 * - `hit`: answered from a fresh positive entry; `negative_hit`: from a cached definite negative.
 * - `miss`: no fresh entry; this call starts a verification. `coalesced`: joined one in flight.
 * - `upstream`: a verification finished (Clerk call for opaque tokens, local check for JWTs), with
 *   `durationMs` and, on failure, `errorCode`.
 * - `error`: it failed without a definite answer (token service unavailable, or our key rejected).
 * - `stale_hit`: answered from a stale entry because the token service failed (stale-if-error).
 * - `malformed`: the string cannot be an M2M token; rejected without any call (no digest).
 * - `invalidate`: `invalidate()` was called.
 * - `shed`: no call was made (503 at once, or a stale entry): `reason` says why: `rate` or
 *   `in_flight` (the budget), `breaker_open` or `back_off` (the token service is failing or sent
 *   `Retry-After`).
 * - `store_error`: a call to the shared store failed (the request went on without it).
 * - `store_rejected`: an entry or message from the shared store was not ours (bad MAC, another
 *   scope, wrong shape) and was ignored; the token is verified upstream instead.
 */
export type VerifierEventType =
  | 'hit'
  | 'miss'
  | 'negative_hit'
  | 'coalesced'
  | 'upstream'
  | 'error'
  | 'stale_hit'
  | 'malformed'
  | 'invalidate'
  | 'shed'
  | 'store_error'
  | 'store_rejected'

/** One verifier event. Never contains the token or the secret key. */
export interface VerifierEvent {
  type: VerifierEventType
  /** The token format, when known. */
  format: TokenFormat | null
  /** First 16 hex characters of the token's SHA-256: enough to correlate, useless to replay. */
  tokenDigest?: string
  /** Duration of the upstream verification, in milliseconds (`upstream` events). */
  durationMs?: number
  /** The outcome's `AuthError` code (`upstream` failures and `error` events). */
  errorCode?: AuthErrorCode
  /**
   * Why: for a refused token (`upstream` with `errorCode: 'invalid_token'`, `malformed`), the precise
   * reason that the answer's description does not say; for `shed`, what refused the call.
   */
  reason?: string
}

/** Receives verifier events. Exceptions and rejected promises are swallowed. */
export type VerifierEventListener = (event: VerifierEvent) => void

/** Extra fields of one event. */
export interface EventDetails {
  durationMs?: number
  errorCode?: AuthErrorCode
  reason?: string | undefined
}

/** Emits one event; `digest` reuses an already computed (or computing) digest of `token`. */
export type Emit = (
  type: VerifierEventType,
  format: TokenFormat | null,
  token: string | undefined,
  details?: EventDetails,
  digest?: Promise<string> | string,
) => void

/** The digest carried by events: first 16 hex characters of SHA-256. */
export async function tokenDigest(token: string): Promise<string> {
  return (await sha256Hex(token)).slice(0, 16)
}

/** Builds the emitter of one verifier, or `undefined` when no listener is set (nothing to do). */
export function createEmitter(listener: VerifierEventListener | undefined): Emit | undefined {
  if (listener === undefined) return undefined
  const deliver = (event: VerifierEvent): void => {
    try {
      const result: unknown = listener(event)
      if (result instanceof Promise) result.catch(() => undefined)
    } catch {
      // A broken metrics hook must not turn a valid request into a failure.
    }
  }
  return (type, format, token, details, digest) => {
    if (token === undefined) return deliver({ type, format, ...details })
    // A known digest (cache hits) is delivered at once; otherwise once WebCrypto has computed it.
    if (typeof digest === 'string') return deliver({ type, format, ...details, tokenDigest: digest })
    ;(digest ?? tokenDigest(token)).then(
      (value) => deliver({ type, format, ...details, tokenDigest: value }),
      () => deliver({ type, format, ...details }),
    )
  }
}
