import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { m2mAuth } from '../src/index.js'
import {
  bearer,
  closeAll,
  errorAnswer,
  mintToken,
  newApp,
  revokeToken,
  type Scenario,
  startScenario,
  transports,
} from './fixtures.js'

let scenario: Scenario
// The emulator's clock: moved forward to expire tokens without sleeping.
let emulatorNow = Date.now()
beforeAll(async () => {
  scenario = await startScenario({ now: () => emulatorNow })
})
afterAll(() => scenario.emulator.close())
afterEach(closeAll)

async function protectedApp() {
  const app = newApp()
  await app.register(m2mAuth, { ...scenario.options, scope: scenario.api.id })
  app.get('/orders', async () => ({ orders: [] }))
  return app
}

describe.each(transports)('RFC 6750 3.1: an invalid access token (%s)', (_name, send) => {
  it('refuses an unknown opaque token with 401 invalid_token and never echoes it', async () => {
    const token = `mt_${'0123456789abcdef'.repeat(2)}`
    const answer = await send(await protectedApp(), { url: '/orders', headers: bearer(token) })
    errorAnswer(answer, 'invalid_token')
    expect(answer.body).not.toContain(token)
    expect(JSON.stringify(answer.headers)).not.toContain(token)
  })

  it('refuses a revoked token', async () => {
    const { token, id } = await mintToken(scenario.emulator, scenario.caller)
    await revokeToken(scenario.emulator, scenario.caller, id)
    const answer = await send(await protectedApp(), { url: '/orders', headers: bearer(token) })
    errorAnswer(answer, 'invalid_token')
  })

  it('refuses an expired token', async () => {
    const { token } = await mintToken(scenario.emulator, scenario.caller, { secondsUntilExpiration: 60 })
    emulatorNow += 120_000
    try {
      const answer = await send(await protectedApp(), { url: '/orders', headers: bearer(token) })
      errorAnswer(answer, 'invalid_token')
    } finally {
      emulatorNow -= 120_000
    }
  })

  it('refuses a token that is not scoped to this machine', async () => {
    const stranger = scenario.emulator.createMachine({ name: `stranger-${Math.random()}` })
    const { token } = await mintToken(scenario.emulator, stranger)
    const answer = await send(await protectedApp(), { url: '/orders', headers: bearer(token) })
    errorAnswer(answer, 'invalid_token')
  })

  it('refuses a token of another kind (OAuth access token) without calling the token service', async () => {
    const before = scenario.emulator.stats().requests
    const answer = await send(await protectedApp(), {
      url: '/orders',
      headers: bearer('oat_0123456789abcdef0123456789abcdef'),
    })
    errorAnswer(answer, 'invalid_token')
    expect(scenario.emulator.stats().requests).toBe(before)
  })

  it('refuses a token that looks like a JWT but is not one', async () => {
    const answer = await send(await protectedApp(), { url: '/orders', headers: bearer('aaaa.bbbb.cccc') })
    errorAnswer(answer, 'invalid_token')
  })
})
