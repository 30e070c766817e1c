/**
 * Token service faults, injected by the emulator, against every adapter over loopback HTTP. Each
 * fault must give 503 + Retry-After (never 401, never 200 for a token nobody could verify), within
 * the configured timeout budget, with no crash or unhandled rejection, and the first request after
 * the fault clears must succeed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestClock, type Faults } from '../helpers/emulator.js'
import { bearer, expectAccepted, expectNoEcho, expectUnavailable, timedGet } from './support/answers.js'
import {
  type ReliabilityEnv,
  round1,
  type StartedSubject,
  startReliabilityEnv,
  subjects,
  unknownOpaqueToken,
} from './support/env.js'
import { type ProcessFaults, watchProcessFaults } from './support/process.js'

const TIMEOUT_MS = 300
const MAX_ATTEMPTS = 2
/** Scheduling slack on a shared, loaded 2-core machine: generous on purpose. */
const SLACK_MS = 1500
const LATENCY_BOUND_MS = TIMEOUT_MS * MAX_ATTEMPTS + SLACK_MS

interface FaultCase {
  name: string
  faults: Faults
  /** The exact `Retry-After` expected, when the fault dictates one. */
  retryAfter?: string
}

const FAULTS: FaultCase[] = [
  { name: 'answers 500', faults: { errorRate: 1, errorStatus: 500 } },
  { name: 'answers 502', faults: { errorRate: 1, errorStatus: 502 } },
  { name: 'answers 503', faults: { errorRate: 1, errorStatus: 503 } },
  // A Retry-After beyond the retry budget ends the call at once and is passed on to the caller.
  {
    name: 'rate limits (429, Retry-After: 3)',
    faults: { rateLimitRate: 1, retryAfterSeconds: 3 },
    retryAfter: '3',
  },
  { name: 'answers slower than the timeout', faults: { slowMs: 5000 } },
  { name: 'hangs (connection never answered)', faults: { hangRate: 1 } },
  { name: 'resets the connection', faults: { resetRate: 1 } },
  { name: 'answers 200 with malformed JSON', faults: { malformedRate: 1 } },
]

let env: ReliabilityEnv
let watch: ProcessFaults
let unknownCounter = 0
/** Largest latency seen per fault, over every adapter. */
const maxLatencyMs = new Map<string, number>()

beforeAll(async () => {
  env = await startReliabilityEnv()
  watch = watchProcessFaults()
})

afterAll(async () => {
  watch?.stop()
  await env?.close()
  const rows = [...maxLatencyMs].map(([fault, ms]) => `  ${fault}: ${round1(ms)} ms`)
  console.log(
    `[reliability] fault latency, max over adapters (bound ${LATENCY_BOUND_MS} ms):\n${rows.join('\n')}`,
  )
})

afterEach(() => {
  env.emulator.setFaults({})
  expect(watch.seen, 'unhandled rejections or uncaught exceptions').toEqual([])
})

for (const subject of subjects) {
  describe(`${subject.name}: the token service fails`, () => {
    let server: StartedSubject
    // The verifier's clock: moved past the breaker's open time or the Retry-After once a fault clears.
    const clock = createTestClock()

    beforeAll(async () => {
      server = await env.start(subject, {
        now: clock.now,
        timeoutMs: TIMEOUT_MS,
        retry: { maxAttempts: MAX_ATTEMPTS, initialDelayMs: 10, maxElapsedMs: TIMEOUT_MS * MAX_ATTEMPTS },
      })
    })

    afterAll(async () => {
      await server?.close()
    })

    for (const fault of FAULTS) {
      it(`${fault.name}: 503 with Retry-After within the timeout budget, then the next request passes`, async () => {
        const tokens = await env.issueMany(4)
        const authorizations = [
          ...tokens.map((t) => bearer(t.token)),
          bearer(unknownOpaqueToken(++unknownCounter)),
        ]
        env.emulator.setFaults({ ...fault.faults, routes: ['verify'] })

        const answers = await Promise.all(authorizations.map((a) => timedGet(server.url, a)))
        for (const { response } of answers) {
          expectUnavailable(response, fault.retryAfter)
          expectNoEcho(response, [...tokens.map((t) => t.token), env.emulator.secretKey])
        }
        const worst = Math.max(...answers.map((a) => a.ms))
        maxLatencyMs.set(fault.name, Math.max(maxLatencyMs.get(fault.name) ?? 0, worst))
        expect(worst, `slowest answer under "${fault.name}"`).toBeLessThan(LATENCY_BOUND_MS)

        env.emulator.setFaults({})
        clock.advance(60_000) // past any open breaker (at most 30 s) and any Retry-After
        const [first] = tokens
        expectAccepted((await timedGet(server.url, bearer(first!.token))).response, first!.id)
      }, 20_000)
    }
  })
}
