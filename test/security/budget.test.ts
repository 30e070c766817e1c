/**
 * Threat: a stranger who can reach the API sends random, well-formed `mt_` tokens to make it call
 * Clerk's verify endpoint, which is billed against one rate limit for the whole instance. The
 * upstream budget (token bucket + cap on calls in flight) bounds what they can spend; tokens
 * already cached are not affected, and a shed token is never remembered as invalid. Nor can the
 * flood lock out the tokens in use once their entries need re-verifying: a quarter of the budget
 * is kept for tokens verified before, which first-seen tokens cannot spend.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestClock } from '../helpers/emulator.js'
import { envInt } from '../reliability/support/env.js'
import {
  get,
  header,
  pooled,
  randomOpaqueToken,
  type SecurityEnv,
  startSecurityEnv,
  subjects,
} from './support.js'

/**
 * Random tokens per adapter. The issue's figure is for 2,000 (`SECURITY_FLOOD_TOKENS=2000`); any
 * count above the burst shows the same thing, and a smaller one keeps the suite quick.
 */
const FLOOD = envInt('SECURITY_FLOOD_TOKENS', 200)
const DEFAULT_BURST = 100
/** The calls of the burst kept for tokens verified before (a quarter): strangers cannot spend them. */
const KNOWN_RESERVE = 25

let env: SecurityEnv
let counter = 0
const figures: string[] = []

beforeAll(async () => {
  env = await startSecurityEnv()
})

afterEach(() => {
  env.emulator.setFaults({})
})

afterAll(async () => {
  await env?.close()
  if (figures.length > 0) console.log(`[security] flood of ${FLOOD} random tokens:\n${figures.join('\n')}`)
})

for (const subject of subjects) {
  describe(`${subject.name}: the upstream budget`, () => {
    it(`a flood of ${FLOOD} random well-formed tokens within a second: ${DEFAULT_BURST - KNOWN_RESERVE} upstream calls (the burst less the reserve), cached tokens unaffected`, async () => {
      // A still clock: the whole flood arrives "within the same instant", however slowly this
      // loaded machine sends it, so the bucket never refills and the bound is exact.
      const t0 = Date.now()
      const server = await env.start(subject, env.verifier({ now: () => t0 }))
      try {
        const good = await env.issue()
        expect((await get(server, good.token)).status).toBe(200)
        const before = env.emulator.stats().verify
        const started = performance.now()
        const flood = Array.from({ length: FLOOD }, () => randomOpaqueToken(++counter))
        const statuses = await pooled(flood, 16, async (token) => {
          const answer = await get(server, token)
          if (answer.status === 503) expect(header(answer, 'retry-after')).toMatch(/^[1-9]\d*$/)
          return answer.status
        })
        const seconds = (performance.now() - started) / 1000
        const calls = env.emulator.stats().verify - before
        figures.push(`  ${subject.name}: ${calls} upstream calls in ${seconds.toFixed(1)} s`)
        expect(new Set(statuses)).toEqual(new Set([401, 503]))
        // The good token's verification took one call of the burst; the reserve is left.
        expect(calls).toBe(DEFAULT_BURST - KNOWN_RESERVE - 1)
        expect(statuses.filter((s) => s === 503).length).toBe(FLOOD - calls)
        // The token verified before the flood is a cache hit: no call, still 200.
        expect((await get(server, good.token)).status).toBe(200)
        expect(env.emulator.stats().verify - before).toBe(calls)
      } finally {
        await server.close()
      }
    }, 60_000)

    it('a flood that outlasts ttlMs does not lock out a token in use: its re-verification draws on the reserve', async () => {
      // A clock of the test's own (default ttlMs 5000, refresh ahead in its last second): each flood
      // arrives within one instant, and the good token's entry ages only when the test says so.
      const clock = createTestClock()
      let landed = 0 // verifications whose outcome has been handled (the upstream event)
      const onEvent = (event: { type: string }) => {
        if (event.type === 'upstream') landed++
      }
      const server = await env.start(subject, env.verifier({ now: clock.now, onEvent }))
      const flood = () =>
        pooled(
          Array.from({ length: FLOOD }, () => randomOpaqueToken(++counter)),
          16,
          (token) => get(server, token),
        )
      try {
        const good = await env.issue()
        expect((await get(server, good.token)).status).toBe(200)
        await flood() // spends the bucket down to the reserve
        clock.advance(4100) // the bucket is full again; the good token's entry is in its refresh window
        await flood()
        const [before, landedBefore] = [env.emulator.stats().verify, landed]
        expect((await get(server, good.token)).status).toBe(200) // a hit: starts the refresh ahead
        await vi.waitFor(() => expect(landed).toBe(landedBefore + 1))
        expect(env.emulator.stats().verify).toBe(before + 1) // admitted: the reserve, not the flood's
        await new Promise((resolve) => setImmediate(resolve)) // its entry is written right after the event
        clock.advance(1500) // past the first entry's freshness: only the refreshed entry answers
        await flood()
        const after = env.emulator.stats().verify
        expect((await get(server, good.token)).status).toBe(200)
        expect(env.emulator.stats().verify).toBe(after) // a hit, no call
      } finally {
        await server.close()
      }
    }, 60_000)

    it('a valid token shed while the budget is spent is answered 503, not remembered as invalid', async () => {
      const clock = createTestClock()
      const budget = { ratePerSecond: 1, burst: 2, maxInFlight: 8 }
      const server = await env.start(subject, env.verifier({ now: clock.now, budget }))
      try {
        for (let i = 0; i < 2; i++) expect((await get(server, randomOpaqueToken(++counter))).status).toBe(401)
        const valid = await env.issue()
        const shed = await get(server, valid.token)
        expect(shed.status).toBe(503)
        expect(shed.json).toMatchObject({ error: 'temporarily_unavailable' })
        expect(header(shed, 'retry-after')).toBe('1')
        clock.advance(1000) // one call's worth of budget
        expect((await get(server, valid.token)).status).toBe(200)
      } finally {
        await server.close()
      }
    })

    it('calls in flight are capped: beyond maxInFlight, 503 at once without a call', async () => {
      const server = await env.start(subject, env.verifier({ budget: { maxInFlight: 3 } }))
      env.emulator.setFaults({ slowMs: 800, routes: ['verify'] })
      try {
        const before = env.emulator.stats().verify
        const tokens = Array.from({ length: 9 }, () => randomOpaqueToken(++counter))
        const answers = await Promise.all(
          tokens.map(async (token) => {
            const t0 = performance.now()
            const answer = await get(server, token)
            return { status: answer.status, ms: performance.now() - t0 }
          }),
        )
        expect(env.emulator.stats().verify - before).toBe(3)
        const shed = answers.filter((a) => a.status === 503)
        expect(shed).toHaveLength(6)
        for (const a of shed) expect(a.ms).toBeLessThan(700) // not held for the slow service
        expect(answers.filter((a) => a.status === 401)).toHaveLength(3)
      } finally {
        await server.close()
      }
    })
  })
}
