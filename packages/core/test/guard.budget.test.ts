/** The upstream budget, driven by a fake clock: a token bucket and a cap on calls in flight. */
import { describe, expect, it } from 'vitest'
import { createBudget } from '../src/guard/budget.js'

describe('budget', () => {
  it('admits a burst, then calls at the sustained rate, and says when the next one fits', () => {
    const clock = { now: 0 }
    const budget = createBudget({ ratePerSecond: 10, burst: 5, maxInFlight: 100 }, () => clock.now)
    for (let i = 0; i < 5; i++) expect(budget.take('known')).toBeUndefined()
    expect(budget.take('known')).toEqual({ reason: 'rate', retryAfterMs: 100 })
    clock.now = 100
    expect(budget.take('known')).toBeUndefined()
    expect(budget.take('known')?.reason).toBe('rate')
    clock.now = 60_000 // a long quiet time refills to the burst, no further
    for (let i = 0; i < 5; i++) expect(budget.take('known')).toBeUndefined()
    expect(budget.take('known')?.reason).toBe('rate')
  })

  it('caps calls in flight; a released call makes room', () => {
    const budget = createBudget({ ratePerSecond: 1000, burst: 1000, maxInFlight: 2 }, () => 0)
    expect(budget.take('new')).toBeUndefined()
    expect(budget.take('new')).toBeUndefined()
    expect(budget.take('new')).toEqual({ reason: 'in_flight', retryAfterMs: 1000 })
    budget.release()
    expect(budget.take('new')).toBeUndefined()
  })

  it('keeps a quarter of the bucket and of the calls in flight for tokens verified before', () => {
    const clock = { now: 0 }
    const budget = createBudget({ ratePerSecond: 10, burst: 8, maxInFlight: 100 }, () => clock.now)
    // New tokens take the bucket down to its reserve of 2 and say when a call above it fits again.
    for (let i = 0; i < 6; i++) expect(budget.take('new')).toBeUndefined()
    expect(budget.take('new')).toEqual({ reason: 'rate', retryAfterMs: 100 })
    // Known tokens spend the reserve, then wait for the refill like anyone.
    expect(budget.take('known')).toBeUndefined()
    expect(budget.take('known')).toBeUndefined()
    expect(budget.take('known')).toEqual({ reason: 'rate', retryAfterMs: 100 })
    clock.now = 200 // two calls refilled: below the reserve, so for known tokens only
    expect(budget.take('new')).toEqual({ reason: 'rate', retryAfterMs: 100 })
    expect(budget.take('known')).toBeUndefined()

    const inFlight = createBudget({ ratePerSecond: 1000, burst: 1000, maxInFlight: 4 }, () => 0)
    for (let i = 0; i < 3; i++) expect(inFlight.take('new')).toBeUndefined()
    expect(inFlight.take('new')).toEqual({ reason: 'in_flight', retryAfterMs: 1000 })
    expect(inFlight.take('known')).toBeUndefined()
    expect(inFlight.take('known')?.reason).toBe('in_flight')
  })

  it('keeps no reserve where a quarter is less than one call', () => {
    const budget = createBudget({ ratePerSecond: 1, burst: 3, maxInFlight: 3 }, () => 0)
    for (let i = 0; i < 3; i++) expect(budget.take('new')).toBeUndefined()
    expect(budget.take('new')?.reason).toBe('in_flight')
  })

  it('a clock that goes back does not drain the bucket', () => {
    const clock = { now: 10_000 }
    const budget = createBudget({ ratePerSecond: 1, burst: 1, maxInFlight: 10 }, () => clock.now)
    expect(budget.take('known')).toBeUndefined()
    clock.now = 9000 // one second back: refused, but nothing is taken away
    expect(budget.take('known')?.reason).toBe('rate')
    clock.now = 10_000 // one second on from there refills one call
    expect(budget.take('known')).toBeUndefined()
  })
})
