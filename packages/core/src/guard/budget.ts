/**
 * The upstream budget of one verifier: a token bucket on calls started and a cap on calls in
 * flight. Clerk limits Backend API requests per instance (100 per 10 s in development, 1000 in
 * production), so a stranger sending random well-formed tokens must not be able to spend that
 * budget for every service of the instance.
 *
 * Nor must that stranger stop the tokens in use: a token this verifier has verified before (its
 * refresh ahead, a miss on its expired entry) may spend the whole budget, a token it has never seen
 * only what lies above a reserve (a quarter of `burst` and of `maxInFlight`). A flood of unknown
 * tokens drains the bucket down to the reserve and no further, and the re-verifications of the
 * tokens in use are admitted from it as long as they need no more than `ratePerSecond`.
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

/**
 * Who asks for a call: a token verified here before (`known`: a refresh ahead, a miss on an entry
 * that expired, an entry from the shared store), or one never seen (`new`).
 */
export type CallPriority = 'known' | 'new'

/** The share of `burst` and of `maxInFlight` that only `known` calls may spend. */
export const KNOWN_RESERVE_SHARE = 0.25

/** Why a call was not started: the bucket is empty, or too many calls are in flight. */
export type ShedReason = 'rate' | 'in_flight'

/** A call the budget refused, and how long until it would likely be admitted. */
export interface Shed {
  reason: ShedReason
  retryAfterMs: number
}

/**
 * One verifier's budget. `take(priority)` either admits a call (then `release()` once it ends) or
 * sheds it.
 */
export interface Budget {
  take(priority: CallPriority): Shed | undefined
  release(): void
}

/** Builds a budget; the bucket starts full and refills continuously by the clock `now`. */
export function createBudget(policy: BudgetPolicy, now: Clock): Budget {
  let tokens = policy.burst
  let refilledAt = now()
  let inFlight = 0
  // What a `new` call must leave: whole calls, so a bucket of 1-3 keeps no reserve.
  const reserve = {
    tokens: Math.floor(policy.burst * KNOWN_RESERVE_SHARE),
    inFlight: Math.floor(policy.maxInFlight * KNOWN_RESERVE_SHARE),
  }
  const refill = () => {
    const at = now()
    // A clock that goes back (a test clock, NTP) must not drain the bucket.
    const elapsedMs = Math.max(0, at - refilledAt)
    tokens = Math.min(policy.burst, tokens + (elapsedMs * policy.ratePerSecond) / 1000)
    refilledAt = at
  }
  return {
    take(priority) {
      const kept = priority === 'known' ? undefined : reserve
      if (inFlight >= policy.maxInFlight - (kept?.inFlight ?? 0)) {
        return { reason: 'in_flight', retryAfterMs: 1000 }
      }
      refill()
      const needed = 1 + (kept?.tokens ?? 0)
      if (tokens < needed) {
        return { reason: 'rate', retryAfterMs: ((needed - tokens) * 1000) / policy.ratePerSecond }
      }
      tokens -= 1
      inFlight++
      return undefined
    },
    release() {
      inFlight = Math.max(0, inFlight - 1)
    },
  }
}
