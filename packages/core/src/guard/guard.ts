/**
 * The upstream guard of one verifier: every call to the token service's verify endpoint passes
 * through it. It refuses a call at once (503 with `Retry-After`) while the service has asked us to
 * back off, while the breaker is open, or when the budget is spent; and it learns from each
 * call's outcome. Refused calls never reach the service and are never cached as invalid.
 */
import { M2MApiError } from '../client/errors.js'
import { AuthError, TokenServiceUnavailableError } from '../http/errors.js'
import type { Clock } from '../types.js'
import { type Breaker, type BreakerPolicy, createBreaker, type Pass } from './breaker.js'
import { type BudgetPolicy, type CallPriority, createBudget } from './budget.js'

/** Why a call was refused without being made. */
export type RefusalReason = 'rate' | 'in_flight' | 'breaker_open' | 'back_off'

/** A refused call: the reason (for stats and events) and the answer to give. */
export interface Refusal {
  refused: RefusalReason
  error: TokenServiceUnavailableError
}

/** An admitted call: report its outcome exactly once (`undefined` for success). */
export interface Admission {
  refused?: undefined
  done(error?: AuthError): void
}

/** The guard of one verifier's verify calls. */
export interface UpstreamGuard {
  /** Admits or refuses one call; `known` calls may spend the budget's reserve (see budget.ts). */
  admit(priority: CallPriority): Admission | Refusal
  /** True while calls are refused without trying (back-off, open breaker, probe in flight). */
  failing(): boolean
}

/** What {@link createUpstreamGuard} needs from the verifier's resolved options. */
export interface GuardConfig {
  budget: BudgetPolicy | false
  breaker: BreakerPolicy | false
  now: Clock
}

/** Builds the guard of one verifier. */
export function createUpstreamGuard(config: GuardConfig): UpstreamGuard {
  const breaker = createBreaker(config.breaker, config.now)
  const budget = config.budget === false ? undefined : createBudget(config.budget, config.now)
  return {
    admit(priority) {
      const pass = breaker.admit()
      if ('reason' in pass) return refusal(pass.reason, pass.retryAfterMs)
      const shed = budget?.take(priority)
      if (shed !== undefined) {
        // A probe that could not start leaves the half-open state to the next caller.
        if (pass.probe) breaker.failed(pass)
        return refusal(shed.reason, shed.retryAfterMs)
      }
      let settled = false
      return {
        done(error) {
          if (settled) return
          settled = true
          budget?.release()
          learn(breaker, pass, error)
        },
      }
    },
    failing: () => breaker.failing(),
  }
}

/** Feeds one outcome to a breaker: any answer of the service closes it, only outages count. */
export function learn(breaker: Breaker, pass: Pass, error: unknown): void {
  if (
    error === undefined ||
    (error instanceof AuthError && !(error instanceof TokenServiceUnavailableError))
  ) {
    breaker.succeeded(pass)
    return
  }
  const retryAfterMs = error instanceof TokenServiceUnavailableError ? rateLimitedFor(error) : undefined
  if (retryAfterMs === undefined) breaker.failed(pass)
  else breaker.backOff(pass, retryAfterMs)
}

const rateLimited = new WeakMap<TokenServiceUnavailableError, number>()

/** Marks `error` as the answer to a 429 asking to wait `retryAfterMs` (for answers not from the client). */
export function markRateLimited(error: TokenServiceUnavailableError, retryAfterMs: number): void {
  rateLimited.set(error, retryAfterMs)
}

/** The back-off a 429 asks for (its `Retry-After`, else the answer's seconds), or `undefined`. */
function rateLimitedFor(error: TokenServiceUnavailableError): number | undefined {
  const marked = rateLimited.get(error)
  if (marked !== undefined) return marked
  const cause = error.cause
  if (cause instanceof M2MApiError && cause.status === 429) {
    return cause.retryAfterMs ?? (error.retryAfterSeconds ?? 1) * 1000
  }
  return undefined
}

/** A refusal whose `Retry-After` is the remaining wait, in whole seconds (at least 1). */
export function refusal(reason: RefusalReason, retryAfterMs: number): Refusal {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000))
  return { refused: reason, error: new TokenServiceUnavailableError(seconds) }
}
