import { beforeAll, describe, expect, it } from 'vitest'
import { m2mAuth } from '../src/index.js'
import { bearer, errorAnswer, mintToken, newApp, transports, useScenario } from './fixtures.js'

const scenario = useScenario()
let token: string
beforeAll(async () => {
  token = (await mintToken(scenario.emulator, scenario.caller)).token
})

describe.each(transports)('per-route settings in route config.m2m (%s)', (_name, send) => {
  it('config.m2m.scope adds to the plugin scope: granted scope passes, a missing one is 403', async () => {
    const other = scenario.emulator.createMachine({ name: `ledger-${Math.random()}` })
    const app = newApp()
    await app.register(m2mAuth, scenario.options)
    app.get('/orders', { config: { m2m: { scope: scenario.api.id } } }, async () => ({}))
    app.get('/ledger', { config: { m2m: { scope: [other.id] } } }, async () => ({}))
    expect((await send(app, { url: '/orders', headers: bearer(token) })).status).toBe(200)
    errorAnswer(await send(app, { url: '/ledger', headers: bearer(token) }), 'insufficient_scope')
  })

  it('config.m2m = false opts a route out: no token needed and request.m2m is null', async () => {
    const app = newApp()
    await app.register(m2mAuth, scenario.options)
    app.get('/health', { config: { m2m: false } }, async (request) => ({ m2m: request.m2m }))
    app.get('/orders', async () => ({}))
    const answer = await send(app, { url: '/health' })
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual({ m2m: null })
    errorAnswer(await send(app, { url: '/orders' }), 'unauthorized')
  })

  it('an opted-out route does not even look at a bad token', async () => {
    const app = newApp()
    await app.register(m2mAuth, scenario.options)
    app.get('/health', { config: { m2m: false } }, async () => ({ ok: true }))
    const answer = await send(app, { url: '/health', headers: { authorization: 'Bearer' } })
    expect(answer.status).toBe(200)
  })

  it('config.m2m.optional makes one route optional, still refusing bad tokens', async () => {
    const app = newApp()
    await app.register(m2mAuth, scenario.options)
    app.get('/catalog', { config: { m2m: { optional: true } } }, async (request) => ({
      caller: request.m2m?.subject ?? null,
    }))
    expect((await send(app, { url: '/catalog' })).json).toEqual({ caller: null })
    expect((await send(app, { url: '/catalog', headers: bearer(token) })).json).toEqual({
      caller: scenario.caller.id,
    })
    errorAnswer(
      await send(app, { url: '/catalog', headers: bearer(`mt_${'e'.repeat(32)}`) }),
      'invalid_token',
    )
  })
})
