/**
 * The breaker and the Retry-After back-off, driven by a fake clock: it opens after consecutive
 * failures, stays open for a growing, jittered, capped time, lets one probe through, and any
 * answer of the service closes it.
 */
import { describe, expect, it } from 'vitest'
import { createBreaker, DEFAULT_BREAKER, type Pass } from '../src/guard/breaker.js'

function setup(random = () => 0.5) {
  const clock = { now: 0 }
  const breaker = createBreaker(DEFAULT_BREAKER, () => clock.now, random)
  const pass = (): Pass => {
    const admitted = breaker.admit()
    if ('reason' in admitted) throw new Error(`refused: ${admitted.reason}`)
    return admitted
  }
  return { clock, breaker, pass }
}

describe('breaker', () => {
  it('opens at the third consecutive failure and refuses at once with the remaining time', () => {
    const { breaker, pass } = setup()
    breaker.failed(pass())
    breaker.failed(pass())
    expect(breaker.failing()).toBe(false)
    breaker.failed(pass())
    const refused = breaker.admit()
    expect(refused).toMatchObject({ reason: 'breaker_open' })
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBe(1100) // 1000 ms + 10% jitter
    expect(breaker.failing()).toBe(true)
  })

  it('a success in between resets the count', () => {
    const { breaker, pass } = setup()
    breaker.failed(pass())
    breaker.failed(pass())
    breaker.succeeded(pass())
    breaker.failed(pass())
    breaker.failed(pass())
    expect('probe' in breaker.admit()).toBe(true)
  })

  it('half-open: one probe; the others are refused until it decides; a failed probe doubles the open time', () => {
    const { clock, breaker, pass } = setup()
    for (let i = 0; i < 3; i++) breaker.failed(pass())
    clock.now = 1100
    const probe = pass()
    expect(probe.probe).toBe(true)
    expect(breaker.admit()).toMatchObject({ reason: 'breaker_open' })
    breaker.failed(probe)
    expect(breaker.admit()).toMatchObject({ reason: 'breaker_open', retryAfterMs: 2200 })
    clock.now += 2200
    breaker.succeeded(pass())
    expect(breaker.failing()).toBe(false)
    expect(pass().probe).toBe(false)
  })

  it('the open time is capped by maxOpenMs, jitter included, and is never below minOpenMs', () => {
    const { clock, breaker, pass } = setup(() => 0.999)
    for (let i = 0; i < 3; i++) breaker.failed(pass())
    const open = (breaker.admit() as { retryAfterMs: number }).retryAfterMs
    expect(open).toBeGreaterThanOrEqual(DEFAULT_BREAKER.minOpenMs)
    for (let round = 0; round < 10; round++) {
      clock.now += 60_000
      breaker.failed(pass())
      const left = (breaker.admit() as { retryAfterMs: number }).retryAfterMs
      expect(left).toBeLessThanOrEqual(DEFAULT_BREAKER.maxOpenMs)
    }
  })

  it('a late failure of a call started before the breaker opened does not extend it', () => {
    const { breaker, pass } = setup()
    const late = pass()
    for (let i = 0; i < 3; i++) breaker.failed(pass())
    const before = (breaker.admit() as { retryAfterMs: number }).retryAfterMs
    breaker.failed(late)
    expect((breaker.admit() as { retryAfterMs: number }).retryAfterMs).toBe(before)
  })

  it('back-off: refuses every call until the Retry-After has passed, then admits', () => {
    const { clock, breaker, pass } = setup()
    breaker.backOff(pass(), 3000)
    clock.now = 1000
    expect(breaker.admit()).toEqual({ reason: 'back_off', retryAfterMs: 2000 })
    clock.now = 3000
    expect(pass().probe).toBe(false)
  })

  it('policy false: never opens, never backs off', () => {
    const breaker = createBreaker(false, () => 0)
    for (let i = 0; i < 10; i++) breaker.failed({ probe: false })
    breaker.backOff({ probe: false }, 60_000)
    expect(breaker.admit()).toEqual({ probe: false })
  })
})
