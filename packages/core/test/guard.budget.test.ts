/** The upstream budget, driven by a fake clock: a token bucket and a cap on calls in flight. */
import { describe, expect, it } from 'vitest'
import { createBudget } from '../src/guard/budget.js'

describe('budget', () => {
  it('admits a burst, then calls at the sustained rate, and says when the next one fits', () => {
    const clock = { now: 0 }
    const budget = createBudget({ ratePerSecond: 10, burst: 5, maxInFlight: 100 }, () => clock.now)
    for (let i = 0; i < 5; i++) expect(budget.take()).toBeUndefined()
    expect(budget.take()).toEqual({ reason: 'rate', retryAfterMs: 100 })
    clock.now = 100
    expect(budget.take()).toBeUndefined()
    expect(budget.take()?.reason).toBe('rate')
    clock.now = 60_000 // a long quiet time refills to the burst, no further
    for (let i = 0; i < 5; i++) expect(budget.take()).toBeUndefined()
    expect(budget.take()?.reason).toBe('rate')
  })

  it('caps calls in flight; a released call makes room', () => {
    const budget = createBudget({ ratePerSecond: 1000, burst: 1000, maxInFlight: 2 }, () => 0)
    expect(budget.take()).toBeUndefined()
    expect(budget.take()).toBeUndefined()
    expect(budget.take()).toEqual({ reason: 'in_flight', retryAfterMs: 1000 })
    budget.release()
    expect(budget.take()).toBeUndefined()
  })

  it('a clock that goes back does not drain the bucket', () => {
    const clock = { now: 10_000 }
    const budget = createBudget({ ratePerSecond: 1, burst: 1, maxInFlight: 10 }, () => clock.now)
    expect(budget.take()).toBeUndefined()
    clock.now = 9000 // one second back: refused, but nothing is taken away
    expect(budget.take()?.reason).toBe('rate')
    clock.now = 10_000 // one second on from there refills one call
    expect(budget.take()).toBeUndefined()
  })
})
