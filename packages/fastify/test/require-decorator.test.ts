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

describe('app.m2mAuth.require(): the hook answers a cached token with no promise', () => {
  it('calls done() before it returns, with request.m2m set, once the token is cached', async () => {
    const app = newApp()
    await app.register(m2mAuth, { ...scenario.options, global: false })
    const hook = app.m2mAuth.require()
    app.get('/orders', { onRequest: hook }, async (request) => ({ caller: request.m2m?.subject }))
    // The first request verifies upstream (and fills the cache) through the real app.
    const first = await app.inject({ url: '/orders', headers: bearer(token) })
    expect(first.json()).toEqual({ caller: scenario.caller.id })
    // Called as Fastify calls a callback hook, with the raw header lines of a request.
    const header = bearer(token).authorization
    const request = { raw: { rawHeaders: ['Authorization', header] }, headers: { authorization: header } }
    let doneWith: unknown = 'not called'
    const returned = (hook as (...args: unknown[]) => unknown)(request, {}, (error?: Error) => {
      doneWith = error
    })
    expect(returned).toBeUndefined()
    expect(doneWith).toBeUndefined()
    expect((request as { m2m?: { subject: string } }).m2m?.subject).toBe(scenario.caller.id)
  })
})
