/**
 * A circuit breaker with a Retry-After back-off, for one dependency (the verify endpoint, or one
 * JWKS). While the dependency is known to be failing, callers are answered at once instead of
 * each waiting for its own timeout; then one probe decides whether it has recovered.
 */
import type { Clock } from '../types.js'

/**
 * Breaker options of `createVerifier` (`breaker`), or `false` for no breaker. The open time grows
 * (doubling) with each failed probe, with up to 20% of jitter so that a fleet does not probe in step.
 *
 * @example
 * ```ts
 * createVerifier({ secretKey, machineId, breaker: { failureThreshold: 5, maxOpenMs: 10_000 } })
 * ```
 */
export interface BreakerOptions {
  /** Consecutive failures (timeouts, resets, 5xx, unreadable answers) that open the breaker. @default 3 */
  failureThreshold?: number
  /** Time the breaker stays open the first time, in milliseconds. @default 1000 */
  minOpenMs?: number
  /** Longest open time, however often the probe fails, in milliseconds. @default 30000 */
  maxOpenMs?: number
}

/** {@link BreakerOptions} with every default filled in. */
export type BreakerPolicy = Required<BreakerOptions>

/** The defaults of {@link BreakerOptions}. */
export const DEFAULT_BREAKER: Readonly<BreakerPolicy> = Object.freeze({
  failureThreshold: 3,
  minOpenMs: 1000,
  maxOpenMs: 30_000,
})

/** The longest `Retry-After` we honour, in milliseconds: a broken header must not stop us for days. */
export const MAX_BACK_OFF_MS = 600_000

/** Why a call may not start now, and for how long. */
export interface Blocked {
  reason: 'breaker_open' | 'back_off'
  retryAfterMs: number
}

/** A call that may start; `probe` marks the one call of the half-open state. */
export interface Pass {
  probe: boolean
}

/**
 * One dependency's breaker. `admit()`, then for a {@link Pass} exactly one of `succeeded()`,
 * `failed()` or `backOff()` with that pass.
 */
export interface Breaker {
  /** A {@link Pass} when the call may start (half-open: only the probe), else why not. */
  admit(): Pass | Blocked
  /** The dependency answered (a definite "no" counts: it is working). */
  succeeded(pass: Pass): void
  /** The dependency failed transiently (timeout, reset, 5xx, unreadable answer). */
  failed(pass: Pass): void
  /** The dependency asked us to wait (429 with `Retry-After`): an answer, and a back-off. */
  backOff(pass: Pass, retryAfterMs: number): void
  /** Whether calls are refused right now (open, probing, or backing off). */
  failing(): boolean
}

const CALL: Pass = Object.freeze({ probe: false })
const PROBE: Pass = Object.freeze({ probe: true })

/**
 * Builds a breaker; `random` in [0, 1) draws the jitter. `policy: false` admits every call (no
 * breaker and no Retry-After back-off: every caller then meets the failure itself).
 */
export function createBreaker(policy: BreakerPolicy | false, now: Clock, random = Math.random): Breaker {
  let failures = 0
  let opens = 0
  let openUntil = Number.NEGATIVE_INFINITY
  let probing = false
  let backOffUntil = Number.NEGATIVE_INFINITY

  const open = () => {
    if (policy === false) return
    opens++
    const base = Math.min(policy.maxOpenMs, policy.minOpenMs * 2 ** Math.min(opens - 1, 30))
    openUntil = now() + Math.min(policy.maxOpenMs, base * (1 + 0.2 * random()))
  }
  const close = () => {
    failures = 0
    opens = 0
    probing = false
    openUntil = Number.NEGATIVE_INFINITY
  }

  return {
    admit() {
      const at = now()
      if (at < backOffUntil) return { reason: 'back_off', retryAfterMs: backOffUntil - at }
      if (opens === 0) return CALL
      if (at < openUntil) return { reason: 'breaker_open', retryAfterMs: openUntil - at }
      // Half-open: the first caller probes; the others are answered at once until it has decided.
      if (probing) return { reason: 'breaker_open', retryAfterMs: policy === false ? 0 : policy.minOpenMs }
      probing = true
      return PROBE
    },
    succeeded: close,
    failed(pass) {
      if (pass.probe) {
        if (probing) {
          probing = false
          open()
        }
        return
      }
      // A late result of a call started before the breaker opened does not extend it.
      if (opens > 0) return
      failures++
      if (policy !== false && failures >= policy.failureThreshold) open()
    },
    backOff(_pass, retryAfterMs) {
      close()
      if (policy === false) return
      const waitMs = Math.min(Math.max(retryAfterMs, 0), MAX_BACK_OFF_MS)
      backOffUntil = Math.max(backOffUntil, now() + waitMs)
    },
    failing() {
      const at = now()
      return at < backOffUntil || (opens > 0 && (at < openUntil || probing))
    },
  }
}
