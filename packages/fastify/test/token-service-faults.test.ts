import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Faults } from '../../emulator/src/index.js'
import { m2mAuth } from '../src/index.js'
import {
  bearer,
  closeAll,
  errorAnswer,
  mintToken,
  newApp,
  type Scenario,
  startScenario,
  transports,
} from './fixtures.js'

let scenario: Scenario
beforeAll(async () => {
  scenario = await startScenario()
})
afterAll(() => scenario.emulator.close())
afterEach(async () => {
  scenario.emulator.setFaults({})
  await closeAll()
})

async function protectedApp(options: Record<string, unknown> = {}) {
  const app = newApp()
  // No retries and a short timeout: each case is one quick upstream attempt.
  await app.register(m2mAuth, { ...scenario.options, retry: false, timeoutMs: 500, ...options })
  app.get('/orders', async () => ({ ok: true }))
  return app
}

const outages: [string, Faults, string][] = [
  ['a 500 from the token service', { errorRate: 1, errorStatus: 500, routes: ['verify'] }, '1'],
  ['a 502 from the token service', { errorRate: 1, errorStatus: 502, routes: ['verify'] }, '1'],
  ['a 429 with Retry-After: 7', { rateLimitRate: 1, retryAfterSeconds: 7, routes: ['verify'] }, '7'],
  ['a connection reset', { resetRate: 1, routes: ['verify'] }, '1'],
  ['no answer within timeoutMs', { hangRate: 1, routes: ['verify'] }, '1'],
  ['a 200 whose body is not JSON', { malformedRate: 1, routes: ['verify'] }, '1'],
]

describe.each(transports)('token service outages (%s)', (_name, send) => {
  it.each(outages)('%s is answered 503 with Retry-After, never 401', async (_case, faults, retryAfter) => {
    const app = await protectedApp()
    const { token } = await mintToken(scenario.emulator, scenario.caller)
    scenario.emulator.setFaults(faults)
    const answer = await send(app, { url: '/orders', headers: bearer(token) })
    errorAnswer(answer, 'temporarily_unavailable')
    expect(answer.headers['retry-after']).toBe(retryAfter)
  })

  it('an unknown token during an outage is still a 503, not a 401', async () => {
    const app = await protectedApp()
    scenario.emulator.setFaults({ errorRate: 1, errorStatus: 503, routes: ['verify'] })
    const answer = await send(app, { url: '/orders', headers: bearer(`mt_${'9'.repeat(32)}`) })
    errorAnswer(answer, 'temporarily_unavailable')
  })

  it('does not remember the failure: the same token passes once the service is back', async () => {
    const app = await protectedApp()
    const { token } = await mintToken(scenario.emulator, scenario.caller)
    scenario.emulator.setFaults({ errorRate: 1, routes: ['verify'] })
    errorAnswer(await send(app, { url: '/orders', headers: bearer(token) }), 'temporarily_unavailable')
    scenario.emulator.setFaults({})
    expect((await send(app, { url: '/orders', headers: bearer(token) })).status).toBe(200)
  })

  it('our own secret key being rejected is a 500 server_error, not the caller’s fault', async () => {
    const app = await protectedApp({ secretKey: `ak_${'0'.repeat(32)}` })
    const { token } = await mintToken(scenario.emulator, scenario.caller)
    const answer = await send(app, { url: '/orders', headers: bearer(token) })
    errorAnswer(answer, 'server_error')
    expect(answer.body).not.toContain('ak_')
  })
})
