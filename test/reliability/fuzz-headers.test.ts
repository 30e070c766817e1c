/**
 * Header fuzzing, every adapter: arbitrary `Authorization` lines (any byte but CR/LF, odd schemes
 * and whitespace, repeated lines, values past the header size limit). Over real loopback HTTP they
 * are sent as raw bytes on a keep-alive socket; the adapter may only answer 400 or 401 (RFC 6750
 * shapes), or 200 for exactly one well-formed line carrying the valid token, and the HTTP server
 * itself may answer 400/431 only for bytes or sizes its parser refuses (counted apart). Never 5xx.
 *
 * Budget: 9,000 cases per adapter over HTTP would take ~30 s on a shared 2-core machine, so
 * Fastify and Hono take most of theirs in process (`inject()`, `app.request()`: same adapter,
 * no parser) and a share over HTTP; Express (no in-process entry) takes all of its over HTTP.
 * `FUZZ_FULL_HTTP=1` sends every case of every adapter over HTTP instead.
 */
import fc from 'fast-check'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { IssuedToken } from '../helpers/emulator.js'
import {
  envInt,
  fuzzReplay,
  REALM,
  type ReliabilityEnv,
  round1,
  startReliabilityEnv,
  subjects,
} from './support/env.js'
import {
  authorizationLines,
  type Expectation,
  expectationFor,
  headerBytes,
  inProcessExpectationFor,
  lineValue,
  render,
} from './support/header-fuzz.js'
import {
  fastifyInProcess,
  honoInProcess,
  type InProcessAnswer,
  type InProcessFactory,
} from './support/in-process.js'
import { type ProcessFaults, watchProcessFaults } from './support/process.js'
import { RawHttpConnection } from './support/raw-http.js'

/** Header cases per adapter; with the upstream fuzz's 1,000, 10,000 per adapter per run. */
const RUNS = envInt('FUZZ_HEADER_RUNS', 9000)
const FULL_HTTP = process.env.FUZZ_FULL_HTTP === '1'
/** Time box per property: a very slow machine runs fewer cases instead of blowing the CI budget. */
const TIME_LIMIT_MS = envInt('FUZZ_TIME_LIMIT_MS', 60_000)

/** How each subject's cases are split between HTTP and in-process runs. */
const PLAN: Record<string, { http: number; inProcess?: InProcessFactory }> = {
  'express 5': { http: RUNS },
  // The same adapter on the older framework: a smaller share guards the difference.
  'express 4': { http: Math.ceil(RUNS / 4) },
  'fastify 5': { http: Math.ceil(RUNS / 6), inProcess: fastifyInProcess },
  'hono 4': { http: Math.ceil(RUNS / 6), inProcess: honoInProcess },
}

let env: ReliabilityEnv
let valid: IssuedToken
let watch: ProcessFaults

beforeAll(async () => {
  env = await startReliabilityEnv()
  valid = await env.issue()
  watch = watchProcessFaults()
})

afterAll(async () => {
  watch?.stop()
  await env?.close()
})

afterEach(() => {
  expect(watch.seen, 'unhandled rejections or uncaught exceptions').toEqual([])
})

/** Checks one answer against the oracle; returns its outcome class for the tally. */
function checkAnswer(want: Expectation, answer: InProcessAnswer, bytes: number): string {
  const challenge = answer.header('www-authenticate')
  expect(answer.status, 'never a server error').toBeLessThan(500)
  expect(answer.body.includes(valid.token), 'the answer echoes the token').toBe(false)
  const fromParser = challenge === undefined && (answer.status === 400 || answer.status === 431)
  if (want.kind === 'parser' || (want.kind === 'parser-or-adapter' && fromParser)) {
    const allowed = want.kind === 'parser' ? want.statuses : [400, 431]
    expect({ status: answer.status, challenge }, `parser answer (${bytes} header bytes)`).toEqual({
      status: expect.toSatisfy((s: number) => allowed.includes(s)),
      challenge: undefined,
    })
    return `http-layer ${answer.status}`
  }
  const body = JSON.parse(answer.body) as { error?: string; m2m?: { id?: string } }
  if (want.kind === 'adapter' && want.accept) {
    expect({ status: answer.status, id: body.m2m?.id }).toEqual({ status: 200, id: valid.id })
    return '200'
  }
  expect([400, 401], 'only 400 or 401 for anything but the valid token').toContain(answer.status)
  const errors = answer.status === 400 ? ['invalid_request'] : ['invalid_token', 'unauthorized']
  expect(errors).toContain(body.error)
  const realm = `Bearer realm="${REALM}"`
  if (body.error === 'unauthorized') expect(challenge, 'no credentials: a bare challenge').toBe(realm)
  else
    expect(challenge?.startsWith(`${realm}, error="${body.error}"`), 'challenge names the error').toBe(true)
  return `${answer.status} ${body.error}`
}

/** Runs the property with `send`, tallying outcomes; prints and returns the case count. */
async function fuzz(
  label: string,
  runs: number,
  send: (rendered: string[]) => Promise<string>,
): Promise<number> {
  const tally = new Map<string, number>()
  let cases = 0
  const started = performance.now()
  await fc.assert(
    fc.asyncProperty(authorizationLines, async (lines) => {
      const outcome = await send(lines.map((line) => render(line, valid.token)))
      cases++
      tally.set(outcome, (tally.get(outcome) ?? 0) + 1)
    }),
    { numRuns: runs, interruptAfterTimeLimit: TIME_LIMIT_MS, ...fuzzReplay() },
  )
  const seconds = (performance.now() - started) / 1000
  const outcomes = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}: ${n}`)
  console.log(
    `[reliability] header fuzz ${label}: ${cases} cases in ${round1(seconds)} s ` +
      `(${Math.round(cases / seconds)}/s); ${outcomes.join(', ')}`,
  )
  if (!process.env.FUZZ_PATH) {
    expect(cases).toBeGreaterThanOrEqual(Math.min(runs, 500))
    expect(tally.get('200'), 'the valid token was accepted at least once').toBeGreaterThan(0)
  }
  return cases
}

for (const subject of subjects) {
  const plan = PLAN[subject.name] ?? { http: RUNS }
  const httpRuns = FULL_HTTP ? RUNS : plan.http
  const inProcess = FULL_HTTP ? undefined : plan.inProcess

  describe(subject.name, () => {
    it(`${httpRuns} arbitrary Authorization headers over HTTP: 400/401 from the adapter, 400/431 from the parser`, async () => {
      const server = await env.start(subject, { timeoutMs: 2000 })
      const connection = new RawHttpConnection(server.url)
      try {
        await fuzz(`${subject.name} (HTTP)`, httpRuns, async (rendered) => {
          const head = ['GET /protected HTTP/1.1', 'Host: 127.0.0.1', ...rendered].join('\r\n')
          const raw = await connection.request(head)
          const answer = { ...raw, header: (name: string) => raw.headers.get(name)?.[0] }
          return checkAnswer(expectationFor(rendered, valid.token), answer, headerBytes(rendered))
        })
      } finally {
        connection.close()
        await server.close()
      }
    }, 120_000)

    if (inProcess !== undefined) {
      const runs = RUNS - httpRuns
      it(`${runs} arbitrary Authorization headers in process: only 400/401, 200 for the valid token alone`, async () => {
        const app = await inProcess(env.verifier({ timeoutMs: 2000 }))
        try {
          await fuzz(app.name, runs, async (rendered) => {
            const answer = await app.request(rendered.map(lineValue))
            return checkAnswer(inProcessExpectationFor(rendered, valid.token), answer, headerBytes(rendered))
          })
        } finally {
          await app.close()
        }
      }, 120_000)
    }
  })
}
