/**
 * The upstream budget under a flood of tokens nobody has seen, with the default budget, a loopback
 * fake of Clerk and a fake clock: tokens this verifier has already verified keep a reserve of the
 * budget that first-seen tokens cannot spend, so a stranger who drains the budget cannot stop the
 * tokens in use from being re-verified; and a refresh ahead that could not land is tried again by
 * a later hit in its window.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { NOT_CACHED } from '../src/index.js'
import { tokenDigest } from '../src/verify/events.js'
import type { FakeReply } from './helpers/fake-clerk.js'
import { type Harness, harness, opaqueToken, settled, T0, validReply } from './verifier.fixtures.js'

const GOOD = opaqueToken(1)
const HEADER = `Bearer ${GOOD}`
const UNAVAILABLE: FakeReply = { status: 503, body: { errors: [{ code: 'unavailable', message: 'down' }] } }

let h: Harness
afterEach(() => h?.close())

describe('the budget keeps a reserve for tokens already verified', () => {
  it('a flood of unknown tokens at twice the budget does not stop a token in use from being re-verified', async () => {
    // The default budget (50 calls a second, bursts of 100, 32 in flight) and ttlMs (5000).
    h = await harness()
    h.replies.set(GOOD, validReply())
    await h.verifier.verify(GOOD)
    const answers: string[] = []
    let unknown = 0
    // 12 s in steps of 100 ms: 10 first-seen tokens per step (100 a second) and one request with GOOD.
    for (let step = 1; step <= 120; step++) {
      h.clock.now = T0 + step * 100
      const flood = Array.from({ length: 10 }, () =>
        h.verifier.verify(opaqueToken(1_000_000 + unknown++)).catch((e: { status?: number }) => e.status),
      )
      const good = h.verifier.authenticate(HEADER).then(
        () => 'ok',
        (e: { status?: number }) => String(e.status),
      )
      answers.push(await good)
      await Promise.all(flood)
      await settled(h)
    }
    const stats = h.verifier.stats()
    // The flood spent what it may: most of it was shed (503, never cached as invalid)...
    expect(stats.shed).toBeGreaterThan(400)
    // ...and GOOD was answered every time, re-verified about once per ttlMs, never shed.
    expect(answers.filter((a) => a !== 'ok')).toEqual([])
    expect(h.upstreamCount(GOOD)).toBeGreaterThanOrEqual(3)
    expect(h.upstreamCount(GOOD)).toBeLessThanOrEqual(5)
    const digest = await tokenDigest(GOOD)
    expect(h.events.filter((e) => e.type === 'shed' && e.tokenDigest === digest)).toEqual([])
  })

  it('says once, naming the options, when the tokens in use need more calls than the budget', async () => {
    const logged: string[] = []
    const logger = { warn: (m: string) => logged.push(m), error: (m: string) => logged.push(m) }
    h = await harness({
      cache: { ttlMs: 1000 },
      budget: { ratePerSecond: 1, burst: 3, maxInFlight: 8 },
      logger,
    })
    const tokens = [1, 2, 3].map((n) => opaqueToken(n))
    for (const token of tokens) h.replies.set(token, validReply())
    for (const token of tokens) await h.verifier.verify(token) // the whole bucket
    h.clock.now = T0 + 850 // 0.85 calls refilled: the three refreshes ahead are shed
    for (const token of tokens) expect(h.verifier.authenticateSync(`Bearer ${token}`)).not.toBe(NOT_CACHED)
    await settled(h)
    expect(h.verifier.stats()).toMatchObject({ refreshes: 3, shed: 3, upstreamCalls: 3 })
    const hint = logged.filter((m) => m.includes('Re-verifications of tokens in use are shed'))
    expect(hint).toHaveLength(1)
    expect(hint[0]).toMatch(/cache\.ttlMs.*budget\.ratePerSecond/)
  })

  it('a refresh ahead that failed is tried again by a later hit in its window, and lands', async () => {
    h = await harness({ cache: { ttlMs: 1000 } }) // window: the last 200 ms; retry a quarter later
    h.replies.set(GOOD, validReply())
    await h.verifier.verify(GOOD)
    h.replies.set(GOOD, UNAVAILABLE)
    h.clock.now = T0 + 850
    expect(h.verifier.authenticateSync(HEADER)).not.toBe(NOT_CACHED)
    await settled(h)
    expect(h.upstreamCount(GOOD)).toBe(2)
    // A hit at once does not ask the failing service again...
    h.clock.now = T0 + 860
    h.verifier.authenticateSync(HEADER)
    await settled(h)
    expect(h.upstreamCount(GOOD)).toBe(2)
    // ...a hit a quarter of the window later does, and its answer extends the entry.
    h.replies.set(GOOD, validReply())
    h.clock.now = T0 + 920
    expect(h.verifier.authenticateSync(HEADER)).not.toBe(NOT_CACHED)
    await settled(h)
    expect(h.upstreamCount(GOOD)).toBe(3)
    h.clock.now = T0 + 1500
    expect(h.verifier.authenticateSync(HEADER)).toMatchObject({ subject: expect.any(String) })
    expect(h.verifier.stats()).toMatchObject({ misses: 1, refreshes: 2 })
  })
})
