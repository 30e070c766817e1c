/**
 * Threat: a failing or rate-limiting token service turns every request into a wait for a timeout
 * and every retry into more load on a service that asked us to stop. A 429's `Retry-After` stops
 * all verify calls of the verifier until it has passed; consecutive failures open a breaker that
 * answers at once; one probe decides when it closes; a stale entry (staleIfErrorMs) is served
 * without waiting. The JWKS fetch has a breaker of its own. Every adapter, real HTTP.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestClock, startTestEmulator } from '../helpers/emulator.js'
import {
  get,
  header,
  pooled,
  recordingLogger,
  type SecurityEnv,
  startSecurityEnv,
  subjects,
} from './support.js'

const TIMEOUT_MS = 250
/** A retry policy that would retry a 429 and a timeout if the verifier let it. */
const EAGER_RETRY = { maxAttempts: 3, initialDelayMs: 10, maxElapsedMs: 5000 }

let env: SecurityEnv
const figures: string[] = []

beforeAll(async () => {
  env = await startSecurityEnv()
})

afterEach(() => {
  env.emulator.setFaults({})
})

afterAll(async () => {
  await env?.close()
  if (figures.length > 0) console.log(`[security] back-off and breaker:\n${figures.join('\n')}`)
})

const verifyCalls = () => env.emulator.stats().verify

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await fn()
  return { value, ms: performance.now() - started }
}

for (const subject of subjects) {
  describe(`${subject.name}: back-off and breaker`, () => {
    it('a 429 with Retry-After: no retry, then no call at all until it has passed; stale entries still served', async () => {
      const clock = createTestClock()
      const options = { now: clock.now, retry: EAGER_RETRY, cache: { ttlMs: 200, staleIfErrorMs: 60_000 } }
      const server = await env.start(subject, env.verifier(options))
      try {
        const known = await env.issue()
        expect((await get(server, known.token)).status).toBe(200)
        clock.advance(300) // the known token is now stale: usable only while the service fails
        const fresh = await Promise.all(Array.from({ length: 21 }, () => env.issue()))
        env.emulator.setFaults({ rateLimitRate: 1, retryAfterSeconds: 2, routes: ['verify'] })

        const before = verifyCalls()
        const first = await get(server, fresh[0]!.token)
        expect(first.status).toBe(503)
        expect(header(first, 'retry-after')).toBe('2')
        expect(verifyCalls() - before, 'a 429 is not retried on the request path').toBe(1)

        const during = await Promise.all(fresh.slice(1).map((t) => get(server, t.token)))
        for (const answer of during) {
          expect(answer.status).toBe(503)
          expect(['1', '2']).toContain(header(answer, 'retry-after'))
        }
        expect((await get(server, known.token)).status, 'stale entry served during the back-off').toBe(200)
        const callsDuring = verifyCalls() - before - 1
        figures.push(
          `  ${subject.name}: ${callsDuring} upstream calls during the Retry-After window (21 requests)`,
        )
        expect(callsDuring).toBe(0)

        env.emulator.setFaults({})
        clock.advance(2000)
        expect((await get(server, fresh[1]!.token)).status).toBe(200)
      } finally {
        await server.close()
      }
    })

    it('a hung token service: 30 requests with new tokens do not each wait for the timeout; one probe decides', async () => {
      const clock = createTestClock()
      const server = await env.start(subject, env.verifier({ now: clock.now, timeoutMs: TIMEOUT_MS }))
      try {
        const tokens = await Promise.all(Array.from({ length: 36 }, () => env.issue()))
        env.emulator.setFaults({ hangRate: 1, routes: ['verify'] })
        const before = verifyCalls()
        const run = await timed(() => pooled(tokens.slice(0, 30), 1, (t) => get(server, t.token)))
        for (const answer of run.value) expect(answer.status).toBe(503)
        const calls = verifyCalls() - before
        figures.push(
          `  ${subject.name}: 30 requests against a hung service in ${Math.round(run.ms)} ms, ${calls} calls`,
        )
        // Three timeouts open the breaker; without it, 30 x 250 ms = 7.5 s.
        expect(calls).toBeLessThanOrEqual(4)
        expect(run.ms).toBeLessThan(30 * TIMEOUT_MS * 0.4)

        // Half-open: once the open time has passed, one probe goes out; the others are answered at once.
        clock.advance(60_000)
        const probeBefore = verifyCalls()
        const probing = await Promise.all(tokens.slice(30, 34).map((t) => get(server, t.token)))
        for (const answer of probing) expect(answer.status).toBe(503)
        expect(verifyCalls() - probeBefore).toBe(1)

        env.emulator.setFaults({})
        clock.advance(120_000) // past the (now longer) open time
        expect(
          (await get(server, tokens[34]!.token)).status,
          'the probe succeeds and closes the breaker',
        ).toBe(200)
        expect((await get(server, tokens[35]!.token)).status).toBe(200)
      } finally {
        await server.close()
      }
    })

    it('stale without waiting: a failing call serves the stale entry as soon as it fails, then at once', async () => {
      const clock = createTestClock()
      const options = {
        now: clock.now,
        timeoutMs: TIMEOUT_MS,
        retry: EAGER_RETRY,
        cache: { ttlMs: 200, staleIfErrorMs: 60_000 },
      }
      const server = await env.start(subject, env.verifier(options))
      try {
        const known = await env.issue()
        expect((await get(server, known.token)).status).toBe(200)
        clock.advance(300)
        env.emulator.setFaults({ hangRate: 1, routes: ['verify'] })
        const before = verifyCalls()
        const first = await get(server, known.token)
        expect(first.status).toBe(200)
        expect(verifyCalls() - before, 'no retry while a stale entry can answer').toBe(1)
        const rest = await timed(() => pooled(Array.from({ length: 19 }), 1, () => get(server, known.token)))
        for (const answer of rest.value) expect(answer.status).toBe(200)
        figures.push(
          `  ${subject.name}: 19 more stale answers with a hung service in ${Math.round(rest.ms)} ms`,
        )
        // At most two more calls (the breaker opens at the third failure), each one attempt.
        expect(verifyCalls() - before).toBeLessThanOrEqual(3)
        expect(rest.ms).toBeLessThan(19 * TIMEOUT_MS * 0.5)
      } finally {
        await server.close()
      }
    })

    it('the JWKS fetch has its own breaker: a hung key set costs three timeouts, not one per request', async () => {
      // An emulator of its own: key sets are cached per instance, process-wide.
      const { emulator } = await startTestEmulator({
        machines: [{ name: 'caller', scopes: ['api'] }, { name: 'api' }],
      })
      const [caller, api] = [emulator.machines[0]!, emulator.machines[1]!]
      const verifier = {
        ...env.verifier({ timeoutMs: TIMEOUT_MS, logger: recordingLogger() }),
        secretKey: emulator.secretKey,
        apiUrl: emulator.url,
        machineId: api.id,
      }
      const server = await env.start(subject, verifier, [api.id])
      try {
        const issue = async () => {
          const response = await fetch(`${emulator.url}/m2m_tokens`, {
            method: 'POST',
            headers: { authorization: `Bearer ${caller.secretKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ token_format: 'jwt' }),
          })
          return ((await response.json()) as { token: string }).token
        }
        const tokens = await Promise.all(Array.from({ length: 10 }, issue))
        emulator.setFaults({ hangRate: 1, routes: ['jwks'] })
        const run = await timed(() => pooled(tokens, 1, (token) => get(server, token)))
        for (const answer of run.value) expect(answer.status).toBe(503)
        expect(emulator.stats().byRoute.jwks ?? 0).toBeLessThanOrEqual(4)
        expect(run.ms).toBeLessThan(10 * TIMEOUT_MS * 0.8)
      } finally {
        await server.close()
        await emulator.close()
      }
    })
  })
}
