/**
 * What the token service says, fuzzed: a loopback fake verify endpoint answers fast-check's
 * statuses and bodies (arbitrary JSON, text, token objects with fields dropped or retyped, revoked,
 * expired or wrongly scoped tokens), and every adapter must answer exactly what the contract says:
 * a clear 503 (or 500 when our key is refused, 401 when the token is bad), and 200 only for a
 * well-formed, live token scoped to this machine. Never a 200 on a malformed body.
 */
import fc from 'fast-check'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loopbackFetch } from '../helpers/http.js'
import {
  type ConformanceSubject,
  envInt,
  fuzzReplay,
  REALM,
  round1,
  type StartedSubject,
  subjects,
} from './support/env.js'
import { type FakeAnswer, type FakeVerifyService, startFakeVerifyService } from './support/fake-verify.js'
import { type ProcessFaults, watchProcessFaults } from './support/process.js'
import { RawHttpConnection, type RawResponse } from './support/raw-http.js'
import { ERROR_OF, expectedStatus, fakeAnswers } from './support/upstream-fuzz.js'

/** Cases per adapter; with the header fuzz's 9,000, 10,000 per adapter per run. */
const RUNS = envInt('FUZZ_UPSTREAM_RUNS', 1000)
/** Express 4 runs the same adapter as Express 5: a smaller share guards the framework difference. */
const runsFor = (name: string) => (name === 'express 4' ? Math.ceil(RUNS / 4) : RUNS)
const TIME_LIMIT_MS = envInt('FUZZ_TIME_LIMIT_MS', 60_000)
const MACHINE_ID = 'mch_2yReceiverReceiverReceiver0'
/** A well-formed opaque token; the fake does not care which, so one serves every case. */
const TOKEN = `mt_${'Z9'.repeat(24)}`

let fake: FakeVerifyService
let watch: ProcessFaults
let consoleError: typeof console.error

beforeAll(async () => {
  fake = await startFakeVerifyService()
  watch = watchProcessFaults()
  // A refused key is logged loudly once per verifier by design; keep the run's output readable.
  consoleError = console.error
  console.error = () => undefined
})

afterAll(async () => {
  console.error = consoleError
  watch?.stop()
  await fake?.close()
})

afterEach(() => {
  expect(watch.seen, 'unhandled rejections or uncaught exceptions').toEqual([])
})

/** Starts `subject` with the fake as its token service: no cache, no retry, one call per request. */
function startOnFake(subject: ConformanceSubject): Promise<StartedSubject> {
  return subject.start({
    realm: REALM,
    scopedRouteScopes: [MACHINE_ID],
    verifier: {
      secretKey: 'sk_test_fuzzfuzzfuzzfuzzfuzzfuzz',
      apiUrl: fake.url,
      machineId: MACHINE_ID,
      fetch: loopbackFetch,
      cache: false,
      retry: false,
      // Each case is judged on its own answer: no breaker or back-off carried over from the
      // previous case, no budget (test/security covers them).
      breaker: false,
      budget: false,
      timeoutMs: 2000,
    },
  })
}

/** Checks the API's answer to a request made while the fake answered `answer`. */
function checkCase(answer: FakeAnswer, response: RawResponse, now: number): number {
  const want = expectedStatus(answer, MACHINE_ID, now)
  const body = JSON.parse(response.body) as { error?: string; m2m?: { id?: unknown } }
  expect(response.status).toBe(want)
  if (want === 200) expect(body.m2m?.id).toBe((JSON.parse(answer.body) as { id: unknown }).id)
  else expect(body.error).toBe(ERROR_OF[want])
  if (want === 503) expect(response.headers.get('retry-after')?.[0]).toMatch(/^[1-9]\d*$/)
  expect(response.body.includes(TOKEN), 'the answer echoes the token').toBe(false)
  return want
}

for (const subject of subjects) {
  const runs = runsFor(subject.name)
  describe(subject.name, () => {
    it(`${runs} arbitrary token service answers: 503, 500 or 401 as the contract says, 200 only for a good token`, async () => {
      const now = Date.now()
      const server = await startOnFake(subject)
      const connection = new RawHttpConnection(server.url)
      const head = `GET /protected HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}`
      const tally = new Map<number, number>()
      const callsBefore = fake.calls
      let cases = 0
      const started = performance.now()
      try {
        await fc.assert(
          fc.asyncProperty(fakeAnswers(MACHINE_ID, now), async (answer) => {
            fake.answer = answer
            const want = checkCase(answer, await connection.request(head), now)
            cases++
            tally.set(want, (tally.get(want) ?? 0) + 1)
          }),
          { numRuns: runs, interruptAfterTimeLimit: TIME_LIMIT_MS, ...fuzzReplay() },
        )
      } finally {
        connection.close()
        await server.close()
      }
      const seconds = (performance.now() - started) / 1000
      const outcomes = [...tally].sort(([a], [b]) => a - b).map(([k, n]) => `${k}: ${n}`)
      console.log(
        `[reliability] upstream fuzz ${subject.name}: ${cases} cases in ${round1(seconds)} s ` +
          `(${Math.round(cases / seconds)}/s); ${outcomes.join(', ')}`,
      )
      if (process.env.FUZZ_PATH) return
      // No cache and no retry: exactly one verify call per case (shrinking may add a few).
      expect(fake.calls - callsBefore).toBeGreaterThanOrEqual(cases)
      expect(cases).toBeGreaterThanOrEqual(Math.min(runs, 200))
      for (const status of [200, 401, 503]) expect(tally.get(status), `some ${status}s`).toBeGreaterThan(0)
    }, 120_000)
  })
}
