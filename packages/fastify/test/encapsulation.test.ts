import { describe, expect, it } from 'vitest'
import { m2mAuth } from '../src/index.js'
import { bearer, errorAnswer, mintToken, newApp, transports, useScenario } from './fixtures.js'

const scenario = useScenario()

describe.each(transports)('plugin encapsulation (%s)', (_name, send) => {
  it('registered at the root, protects root routes and the routes of child contexts', async () => {
    const app = newApp()
    await app.register(m2mAuth, scenario.options)
    app.get('/orders', async () => ({}))
    await app.register(
      async (child) => {
        child.get('/invoices', async () => ({}))
      },
      { prefix: '/billing' },
    )
    errorAnswer(await send(app, { url: '/orders' }), 'unauthorized')
    errorAnswer(await send(app, { url: '/billing/invoices' }), 'unauthorized')
    const { token } = await mintToken(scenario.emulator, scenario.caller)
    expect((await send(app, { url: '/billing/invoices', headers: bearer(token) })).status).toBe(200)
  })

  it('registered in a child context, protects only that child', async () => {
    const app = newApp()
    app.get('/health', async () => ({ ok: true }))
    await app.register(
      async (child) => {
        await child.register(m2mAuth, scenario.options)
        child.get('/orders', async (request) => ({ caller: request.m2m?.subject }))
      },
      { prefix: '/api' },
    )
    await app.register(async (sibling) => {
      sibling.get('/docs', async () => ({ docs: true }))
    })
    expect((await send(app, { url: '/health' })).status).toBe(200)
    expect((await send(app, { url: '/docs' })).status).toBe(200)
    errorAnswer(await send(app, { url: '/api/orders' }), 'unauthorized')
    const { token } = await mintToken(scenario.emulator, scenario.caller)
    const answer = await send(app, { url: '/api/orders', headers: bearer(token) })
    expect(answer.json).toEqual({ caller: scenario.caller.id })
  })

  it('lets two children protect their routes with different scopes', async () => {
    const extra = scenario.emulator.createMachine({ name: `reports-${Math.random()}` })
    const app = newApp()
    await app.register(async (child) => {
      await child.register(m2mAuth, { ...scenario.options, scope: scenario.api.id })
      child.get('/orders', async () => ({}))
    })
    await app.register(async (child) => {
      await child.register(m2mAuth, { ...scenario.options, scope: extra.id })
      child.get('/reports', async () => ({}))
    })
    const { token } = await mintToken(scenario.emulator, scenario.caller)
    expect((await send(app, { url: '/orders', headers: bearer(token) })).status).toBe(200)
    errorAnswer(await send(app, { url: '/reports', headers: bearer(token) }), 'insufficient_scope')
  })

  it('registered at the root and again in a child, applies both rules to the child, on every request', async () => {
    const extra = scenario.emulator.createMachine({ name: `audit-${Math.random()}` })
    const app = newApp()
    await app.register(m2mAuth, scenario.options)
    app.get('/orders', async () => ({}))
    await app.register(async (child) => {
      await child.register(m2mAuth, { ...scenario.options, scope: extra.id })
      child.get('/audit', async () => ({}))
    })
    const { token } = await mintToken(scenario.emulator, scenario.caller)
    // Twice: the second request is a cache hit and finds each registration's rule kept on the route.
    for (let i = 0; i < 2; i++) {
      expect((await send(app, { url: '/orders', headers: bearer(token) })).status).toBe(200)
      errorAnswer(await send(app, { url: '/audit', headers: bearer(token) }), 'insufficient_scope')
      errorAnswer(await send(app, { url: '/audit' }), 'unauthorized')
    }
  })

  it('registered at the root, also guards unknown paths: no 404 leaks to unauthenticated callers', async () => {
    const app = newApp()
    await app.register(m2mAuth, scenario.options)
    errorAnswer(await send(app, { url: '/no-such-route' }), 'unauthorized')
    const { token } = await mintToken(scenario.emulator, scenario.caller)
    expect((await send(app, { url: '/no-such-route', headers: bearer(token) })).status).toBe(404)
  })

  it('applies to routes declared before the plugin in the same context', async () => {
    const app = newApp()
    app.get('/early', async () => ({}))
    await app.register(m2mAuth, scenario.options)
    errorAnswer(await send(app, { url: '/early' }), 'unauthorized')
  })
})
