import { describe, expect, it } from 'vitest'
import { m2mAuth } from '../src/index.js'
import { bearer, errorAnswer, mintToken, newApp, transports, useScenario } from './fixtures.js'

const scenario = useScenario()

describe.each(transports)('RFC 6750 3.1: a valid token lacking a required scope (%s)', (_name, send) => {
  it('is answered 403 insufficient_scope naming the required scope', async () => {
    // Verifying with the instance key accepts any token of the instance: the scope check is ours.
    const app = newApp()
    let handled = 0
    await app.register(m2mAuth, {
      secretKey: scenario.emulator.secretKey,
      apiUrl: scenario.emulator.url,
      // Any machine's token passes verification, so that only the route's scope can refuse it.
      anyMachine: true,
      scope: [scenario.api.id],
    })
    app.get('/orders', async () => {
      handled++
      return {}
    })
    // Sent by the API machine to the caller: valid, but scoped to the caller only.
    const { token } = await mintToken(scenario.emulator, scenario.api)
    const answer = await send(app, { url: '/orders', headers: bearer(token) })
    const challenge = errorAnswer(answer, 'insufficient_scope')
    expect(challenge).toContain(`scope="${scenario.api.id}"`)
    expect(handled).toBe(0)
  })

  it('lists every required scope, space-separated, when a route adds its own', async () => {
    const extra = scenario.emulator.createMachine({ name: `inventory-${Math.random()}` })
    const app = newApp()
    await app.register(m2mAuth, { ...scenario.options, scope: scenario.api.id })
    app.get('/stock', { config: { m2m: { scope: [extra.id] } } }, async () => ({}))
    const { token } = await mintToken(scenario.emulator, scenario.caller)
    const answer = await send(app, { url: '/stock', headers: bearer(token) })
    const challenge = errorAnswer(answer, 'insufficient_scope')
    expect(challenge).toContain(`scope="${scenario.api.id} ${extra.id}"`)
  })
})
