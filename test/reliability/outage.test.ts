/**
 * The token service goes away altogether (its process stops), then comes back on the same port;
 * and the opt-in stale-if-error window: a recently verified token keeps working through an outage
 * for `staleIfErrorMs` and no longer. Every adapter, real loopback HTTP.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestClock, type Emulator, startEmulator } from '../helpers/emulator.js'
import { bearer, expectAccepted, expectInvalidToken, expectUnavailable, timedGet } from './support/answers.js'
import { envOf, MACHINES, type ReliabilityEnv, startReliabilityEnv, subjects } from './support/env.js'
import { type ProcessFaults, watchProcessFaults } from './support/process.js'

const TIMEOUT_MS = 300
const LATENCY_BOUND_MS = TIMEOUT_MS * 2 + 1500
const RETRY = { maxAttempts: 2, initialDelayMs: 10, maxElapsedMs: TIMEOUT_MS * 2 }

let watch: ProcessFaults
let shared: ReliabilityEnv

beforeAll(async () => {
  watch = watchProcessFaults()
  shared = await startReliabilityEnv()
})

afterAll(async () => {
  watch?.stop()
  await shared?.close()
})

afterEach(() => {
  shared.emulator.setFaults({})
  expect(watch.seen, 'unhandled rejections or uncaught exceptions').toEqual([])
})

/** Starts an emulator on `port`, retrying briefly if the old socket has not let go of it yet. */
async function startOnPort(port: number, seed: string): Promise<Emulator> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEmulator({ host: '127.0.0.1', port, seed, machines: MACHINES })
    } catch (error) {
      if (attempt >= 20 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}

for (const subject of subjects) {
  describe(`${subject.name}: the token service stops`, () => {
    it('stopped: 503 with Retry-After within the budget; restarted on the same port: the first request passes', async () => {
      const seed = `reliability-outage-${subject.name}`
      const before = envOf(await startEmulator({ host: '127.0.0.1', port: 0, seed, machines: MACHINES }))
      const port = Number(new URL(before.emulator.url).port)
      let after: ReliabilityEnv | undefined
      // Same seed, same keys: the API keeps its configuration across the token service's restart.
      const server = await before.start(subject, { timeoutMs: TIMEOUT_MS, retry: RETRY })
      try {
        const [seen, unseen] = await before.issueMany(2)
        expectAccepted((await timedGet(server.url, bearer(seen!.token))).response, seen!.id)
        await before.close()

        const answer = await timedGet(server.url, bearer(unseen!.token))
        expectUnavailable(answer.response)
        expect(answer.ms).toBeLessThan(LATENCY_BOUND_MS)

        after = envOf(await startOnPort(port, seed))
        expect(after.emulator.url).toBe(before.emulator.url)
        const fresh = await after.issue()
        expectAccepted((await timedGet(server.url, bearer(fresh.token))).response, fresh.id)
      } finally {
        await server.close()
        await before.close()
        await after?.close()
      }
    }, 20_000)

    it('stale-if-error: a verified token passes through an outage for staleIfErrorMs, then 503', async () => {
      const clock = createTestClock()
      const ttlMs = 200
      const staleIfErrorMs = 1500
      const server = await shared.start(subject, {
        timeoutMs: TIMEOUT_MS,
        retry: RETRY,
        cache: { ttlMs, staleIfErrorMs },
        now: clock.now,
      })
      try {
        const [verified, unverified] = await shared.issueMany(2)
        const get = async (token: string) => (await timedGet(server.url, bearer(token))).response
        expectAccepted(await get(verified!.token), verified!.id)

        shared.emulator.setFaults({ errorRate: 1, errorStatus: 503, routes: ['verify'] })
        clock.advance(ttlMs + 300) // past the fresh window, inside the stale one
        const calls = shared.emulator.stats().verify
        expectAccepted(await get(verified!.token), verified!.id)
        expect(shared.emulator.stats().verify, 'the token service was asked first').toBeGreaterThan(calls)
        expectUnavailable(await get(unverified!.token)) // never verified: nothing to fall back on

        clock.advance(staleIfErrorMs) // now past ttlMs + staleIfErrorMs since the verification
        expectUnavailable(await get(verified!.token))

        shared.emulator.setFaults({})
        clock.advance(60_000) // past the breaker that three failures in a row opened
        expectAccepted(await get(verified!.token), verified!.id)
        expectAccepted(await get(unverified!.token), unverified!.id)
      } finally {
        await server.close()
      }
    }, 20_000)

    it('stale-if-error ends at once when the token service says the token is revoked', async () => {
      const clock = createTestClock()
      const server = await shared.start(subject, {
        timeoutMs: TIMEOUT_MS,
        retry: RETRY,
        cache: { ttlMs: 200, staleIfErrorMs: 60_000 },
        now: clock.now,
      })
      try {
        const token = await shared.issue()
        const get = async () => (await timedGet(server.url, bearer(token.token))).response
        expectAccepted(await get(), token.id)
        await fetch(`${shared.emulator.url}/m2m_tokens/${token.id}/revoke`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${shared.emulator.secretKey}`,
            'content-type': 'application/json',
          },
          body: '{}',
        })
        clock.advance(300)
        expectInvalidToken(await get()) // a definite "no" drops the stale entry
        shared.emulator.setFaults({ errorRate: 1, routes: ['verify'] })
        expect((await get()).status, 'the negative answer is not forgotten under faults').not.toBe(200)
      } finally {
        await server.close()
      }
    }, 20_000)
  })
}
