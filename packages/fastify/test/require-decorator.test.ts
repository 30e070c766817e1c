import { beforeAll, describe, expect, it } from 'vitest'
import { m2mAuth } from '../src/index.js'
import { bearer, errorAnswer, mintToken, newApp, transports, useScenario } from './fixtures.js'

const scenario = useScenario()
let token: string
beforeAll(async () => {
  token = (await mintToken(scenario.emulator, scenario.caller)).token
})

describe.each(transports)('global: false with app.m2mAuth.require() on single routes (%s)', (_name, send) => {
  it('leaves routes without the hook public and protects the ones with it', async () => {
    const app = newApp()
    await app.register(m2mAuth, { ...scenario.options, global: false })
    app.get('/health', async (request) => ({ m2m: request.m2m }))
    app.get('/orders', { onRequest: app.m2mAuth.require() }, async (request) => ({
      caller: request.m2m?.subject,
    }))
    expect((await send(app, { url: '/health' })).json).toEqual({ m2m: null })
    errorAnswer(await send(app, { url: '/orders' }), 'unauthorized')
    expect((await send(app, { url: '/orders', headers: bearer(token) })).json).toEqual({
      caller: scenario.caller.id,
    })
  })

  it('require({ scope }) adds scopes to the plugin scope', async () => {
    const other = scenario.emulator.createMachine({ name: `audit-${Math.random()}` })
    const app = newApp()
    await app.register(m2mAuth, { ...scenario.options, global: false, scope: scenario.api.id })
    app.get('/audit', { onRequest: app.m2mAuth.require({ scope: other.id }) }, async () => ({}))
    const challenge = errorAnswer(
      await send(app, { url: '/audit', headers: bearer(token) }),
      'insufficient_scope',
    )
    expect(challenge).toContain(`scope="${scenario.api.id} ${other.id}"`)
  })

  it('works as a preHandler hook too', async () => {
    const app = newApp()
    await app.register(m2mAuth, { ...scenario.options, global: false })
    app.post('/orders', { preHandler: app.m2mAuth.require() }, async (request) => ({
      caller: request.m2m?.subject,
    }))
    const headers = { 'content-type': 'application/json' }
    errorAnswer(await send(app, { method: 'POST', url: '/orders', headers, payload: '{}' }), 'unauthorized')
    const answer = await send(app, {
      method: 'POST',
      url: '/orders',
      headers: { ...headers, ...bearer(token) },
      payload: '{}',
    })
    expect(answer.json).toEqual({ caller: scenario.caller.id })
  })

  it('require({ optional: true }) lets anonymous requests through', async () => {
    const app = newApp()
    await app.register(m2mAuth, { ...scenario.options, global: false })
    app.get('/catalog', { onRequest: app.m2mAuth.require({ optional: true }) }, async (request) => ({
      m2m: request.m2m,
    }))
    expect((await send(app, { url: '/catalog' })).json).toEqual({ m2m: null })
  })

  it('exposes the verifier built at registration', async () => {
    const app = newApp()
    await app.register(m2mAuth, { ...scenario.options, global: false })
    expect(typeof app.m2mAuth.verifier.authenticate).toBe('function')
  })
})
