import { createServer } from 'node:net'
import { type Emulator, type EmulatorMachine, startEmulator } from '@m2m-auth/emulator'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, envFor, runBin } from './helpers.js'

let emulator: Emulator
let sender: EmulatorMachine

beforeAll(async () => {
  assertBuilt()
  emulator = await startEmulator({ port: 0, host: '127.0.0.1' })
  sender = emulator.machines[0] as EmulatorMachine
})
afterEach(() => emulator.setFaults({}))
afterAll(() => emulator?.close())

const asInstance = () => envFor(emulator.url, { instance: emulator.secretKey })
const list = () => ['token', 'list', '--subject', sender.id]

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

describe('a failing token service exits 1 with a clear message', () => {
  it('reports a 5xx with its status, Clerk error code and trace id', async () => {
    emulator.setFaults({ errorRate: 1, errorStatus: 503 })
    const run = await runBin([...list(), '--json'], { env: asInstance() })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^error: token list failed: HTTP 503: /)
    expect(run.stderr).toMatch(/\n {2}code: \S+/)
    expect(run.stderr).toMatch(/\n {2}trace id: \S+/)
    expect(run.stderr).toContain('hint: the token service failed')
    expect(JSON.parse(run.stdout).error).toMatchObject({ kind: 'api', status: 503 })
  })

  it('does not retry a create on a 5xx (a retried create could mint two tokens)', async () => {
    emulator.setFaults({ errorRate: 1 })
    emulator.resetStats()
    const run = await runBin(['token', 'create'], {
      env: envFor(emulator.url, { machine: sender.secretKey }),
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('HTTP 500')
    expect(emulator.stats().byRoute.create).toBe(1)
  })

  it('says how long to wait when rate limited', async () => {
    emulator.setFaults({ rateLimitRate: 1, retryAfterSeconds: 30 })
    const run = await runBin(list(), { env: asInstance() })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('HTTP 429')
    expect(run.stderr).toContain('hint: rate limited: retry in 30 s')
  })

  it('gives up on a hung service after --timeout per attempt, in bounded time', async () => {
    emulator.setFaults({ hangRate: 1 })
    const run = await runBin([...list(), '--timeout', '300'], { env: asInstance() })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      `token list failed: no answer from ${emulator.url} within 300 ms (per attempt)`,
    )
    expect(run.stderr).toContain('hint: allow more time with --timeout <ms>')
    // 3 attempts of 300 ms plus short backoffs; far below the default 5 s per attempt.
    expect(run.elapsedMs).toBeLessThan(8000)
  })

  it('reports an unreachable service without waiting for a timeout', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`
    const run = await runBin(list(), { env: envFor(url, { instance: emulator.secretKey }) })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`token list failed: could not reach ${url}`)
    expect(run.stderr).toContain('ECONNREFUSED')
  })

  it('reports an unreadable 200 as a failure, not as a result', async () => {
    emulator.setFaults({ malformedRate: 1 })
    const run = await runBin(list(), { env: asInstance() })
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('really a Clerk Backend API?')
  })
})
