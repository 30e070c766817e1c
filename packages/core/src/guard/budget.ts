/**
 * The upstream budget of one verifier: a token bucket on calls started and a cap on calls in
 * flight. Clerk limits Backend API requests per instance (100 per 10 s in development, 1000 in
 * production), so a stranger sending random well-formed tokens must not be able to spend that
 * budget for every service of the instance.
 */
import type { Clock } from '../types.js'

/**
 * Budget options of `createVerifier` (`budget`), or `false` for no budget.
 *
 * @example
 * ```ts
 * createVerifier({ secretKey, machineId, budget: { ratePerSecond: 20, burst: 40, maxInFlight: 8 } })
 * ```
 */
export interface BudgetOptions {
  /** Upstream calls per second, sustained. @default 50 */
  ratePerSecond?: number
  /** Upstream calls allowed at once after a quiet period (the bucket's size). @default 100 */
  burst?: number
  /** Upstream calls in flight at the same time. @default 32 */
  maxInFlight?: number
}

/** {@link BudgetOptions} with every default filled in. */
export type BudgetPolicy = Required<BudgetOptions>

/** The defaults of {@link BudgetOptions}. */
export const DEFAULT_BUDGET: Readonly<BudgetPolicy> = Object.freeze({
  ratePerSecond: 50,
  burst: 100,
  maxInFlight: 32,
})

/** Why a call was not started: the bucket is empty, or too many calls are in flight. */
export type ShedReason = 'rate' | 'in_flight'

/** A call the budget refused, and how long until it would likely be admitted. */
export interface Shed {
  reason: ShedReason
  retryAfterMs: number
}

/** One verifier's budget. `take()` either admits a call (then `release()` once it ends) or sheds it. */
export interface Budget {
  take(): Shed | undefined
  release(): void
}

/** Builds a budget; the bucket starts full and refills continuously by the clock `now`. */
export function createBudget(policy: BudgetPolicy, now: Clock): Budget {
  let tokens = policy.burst
  let refilledAt = now()
  let inFlight = 0
  const refill = () => {
    const at = now()
    // A clock that goes back (a test clock, NTP) must not drain the bucket.
    const elapsedMs = Math.max(0, at - refilledAt)
    tokens = Math.min(policy.burst, tokens + (elapsedMs * policy.ratePerSecond) / 1000)
    refilledAt = at
  }
  return {
    take() {
      if (inFlight >= policy.maxInFlight) return { reason: 'in_flight', retryAfterMs: 1000 }
      refill()
      if (tokens < 1) return { reason: 'rate', retryAfterMs: ((1 - tokens) * 1000) / policy.ratePerSecond }
      tokens -= 1
      inFlight++
      return undefined
    },
    release() {
      inFlight = Math.max(0, inFlight - 1)
    },
  }
}
