/**
 * The adapter API shared by the three adapters, on Fastify through both transports (inject and
 * real HTTP) against the emulator: unknown options refused with a suggestion (plugin and route
 * config), `scope` as a string or a list, `callers` and `authorize` at plugin and route level, a
 * shared `verifier`, optional never weakening a requirement, and the logger seam (Fastify's own
 * logger by default).
 */
import { Writable } from 'node:stream'
import { createVerifier, M2MConfigError } from '@m2m-auth/core'
import Fastify, { type FastifyRequest } from 'fastify'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { m2mAuth } from '../src/index.js'
import { bearer, errorAnswer, mintToken, newApp, transports, useScenario } from './fixtures.js'

const scenario = useScenario()

afterEach(() => {
  scenario.emulator.setFaults({})
  vi.restoreAllMocks()
})

/** The error that registering the plugin (and one route) and starting the app fails with. */
async function registrationError(options: Record<string, unknown>, route?: Record<string, unknown>) {
  const app = newApp()
  try {
    await app.register(m2mAuth, { ...scenario.options, ...options })
    if (route !== undefined) app.get('/orders', { config: { m2m: route } }, async () => ({}))
    await app.ready()
  } catch (error) {
    return error
  }
  return undefined
}

describe('unknown options', () => {
  it('are refused at registration, naming the key and the known one it is close to', async () => {
    for (const [key, suggestion] of [
      ['scopes', 'scope'],
      ['secretkey', 'secretKey'],
      ['errorHandler', 'errorHandling'],
    ] as const) {
      const error = await registrationError({ [key]: 'mch_x' })
      expect(error).toBeInstanceOf(M2MConfigError)
      expect(error).toMatchObject({
        option: key,
        message: expect.stringContaining(`did you mean \`${suggestion}\`?`),
      })
    }
  })

  it('in a route config.m2m are refused at startup too', async () => {
    const error = await registrationError({}, { scopes: ['mch_x'] })
    expect(error).toMatchObject({
      option: 'config.m2m.scopes',
      message: expect.stringContaining('`config.m2m.scope`'),
    })
  })
})

describe.each(transports)('the shared adapter API (%s)', (_name, send) => {
  async function app(options: Record<string, unknown>, route?: Record<string, unknown>) {
    const app = newApp()
    await app.register(m2mAuth, { ...scenario.options, ...options })
    app.get('/orders', route === undefined ? {} : { config: { m2m: route } }, async (request) => ({
      caller: request.m2m?.subject ?? null,
    }))
    return app
  }
  const token = async () => bearer((await mintToken(scenario.emulator, scenario.caller)).token)

  it('takes scope as a machine id or a list: 403 without it, 200 with it', async () => {
    const headers = await token()
    const { api, caller } = scenario
    expect((await send(await app({ scope: api.id }), { url: '/orders', headers })).status).toBe(200)
    expect((await send(await app({ scope: [api.id] }), { url: '/orders', headers })).status).toBe(200)
    const refused = await send(await app({ scope: [api.id, caller.id] }), { url: '/orders', headers })
    expect(errorAnswer(refused, 'insufficient_scope')).toContain(`scope="${api.id} ${caller.id}"`)
  })

  it('lets only the listed callers through, at plugin and at route level', async () => {
    const headers = await token()
    const { api, caller } = scenario
    expect((await send(await app({ callers: [caller.id] }), { url: '/orders', headers })).json).toEqual({
      caller: caller.id,
    })
    errorAnswer(await send(await app({ callers: api.id }), { url: '/orders', headers }), 'insufficient_scope')
    expect((await send(await app({}, { callers: caller.id }), { url: '/orders', headers })).status).toBe(200)
    errorAnswer(
      await send(await app({}, { callers: [api.id] }), { url: '/orders', headers }),
      'insufficient_scope',
    )
  })

  it('asks authorize hooks (sync or async) with the token and the Fastify request', async () => {
    const headers = await token()
    const seen: string[] = []
    const hook = async (t: { subject: string }, request: FastifyRequest) => {
      seen.push(`${t.subject} ${request.url}`)
      return request.url.endsWith('ok=1')
    }
    const a = newApp()
    await a.register(m2mAuth, { ...scenario.options, authorize: hook })
    a.get('/orders', async () => ({ ok: true }))
    a.get(
      '/route',
      { config: { m2m: { authorize: async (_t, r) => r.headers['x-ok'] === '1' } } },
      async () => ({}),
    )
    expect((await send(a, { url: '/orders?ok=1', headers })).status).toBe(200)
    errorAnswer(await send(a, { url: '/orders?ok=0', headers }), 'insufficient_scope')
    expect(seen).toEqual([`${scenario.caller.id} /orders?ok=1`, `${scenario.caller.id} /orders?ok=0`])
    expect((await send(a, { url: '/route?ok=1', headers: { ...headers, 'x-ok': '1' } })).status).toBe(200)
    errorAnswer(
      await send(a, { url: '/route?ok=1', headers: { ...headers, 'x-ok': '0' } }),
      'insufficient_scope',
    )
  })

  it("sends an authorize hook's exception to Fastify's error path (500), not as a 403", async () => {
    const headers = await token()
    const a = await app({ authorize: async () => Promise.reject(new Error('db down')) })
    const answer = await send(a, { url: '/orders', headers })
    expect(answer.status).toBe(500)
    expect(answer.headers['www-authenticate']).toBeUndefined()
  })

  it('answers 401 without credentials where optional meets a requirement, plugin or route level', async () => {
    const { api, caller } = scenario
    for (const options of [
      { optional: true, scope: api.id },
      { optional: true, callers: caller.id },
      { optional: true, authorize: () => true },
    ]) {
      errorAnswer(await send(await app(options), { url: '/orders' }), 'unauthorized')
    }
    expect((await send(await app({ optional: true }), { url: '/orders' })).json).toEqual({ caller: null })
    errorAnswer(
      await send(await app({ optional: true }, { callers: caller.id }), { url: '/orders' }),
      'unauthorized',
    )
    errorAnswer(
      await send(await app({}, { optional: true, scope: api.id }), { url: '/orders' }),
      'unauthorized',
    )
  })

  it('shares one verifier between registrations: one upstream call for a token they all see', async () => {
    const verifier = createVerifier({ ...scenario.options })
    const a = newApp()
    await a.register(async (one) => {
      await one.register(m2mAuth, { verifier })
      one.get('/one', async () => ({}))
    })
    await a.register(async (two) => {
      await two.register(m2mAuth, { verifier, callers: scenario.caller.id, realm: 'two' })
      two.get('/two', async () => ({}))
    })
    const headers = await token()
    const before = scenario.emulator.stats().verify
    expect((await send(a, { url: '/one', headers })).status).toBe(200)
    expect((await send(a, { url: '/two', headers })).status).toBe(200)
    expect(scenario.emulator.stats().verify - before).toBe(1)
    const clash = await registrationError({ verifier, secretKey: undefined, apiUrl: undefined, timeoutMs: 5 })
    expect(clash).toMatchObject({ option: 'timeoutMs' })
  })
})

describe('logging', () => {
  const outage = async (options: Record<string, unknown>, app = newApp()) => {
    await app.register(m2mAuth, { ...scenario.options, retry: false, ...options })
    app.get('/orders', async () => ({}))
    scenario.emulator.setFaults({ errorRate: 1, errorStatus: 503 })
    for (let i = 0; i < 20; i++) {
      const answer = await app.inject({
        url: '/orders',
        headers: bearer(`mt_${String(i).padStart(32, 'e')}`),
      })
      expect(answer.statusCode).toBe(503)
    }
  }
  const spyConsole = () =>
    (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation(() => undefined),
    )

  it("writes a bounded number of outage lines to Fastify's own logger by default, none per answer", async () => {
    const lines: { level: number; msg: string }[] = []
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line))
        done()
      },
    })
    const consoleSpies = spyConsole()
    const app = Fastify({ logger: { level: 'warn', stream } })
    try {
      await outage({}, app)
    } finally {
      await app.close()
    }
    const ours = lines.filter((l) => l.msg.includes('[m2m-auth]'))
    expect(ours.length).toBeGreaterThanOrEqual(1)
    expect(ours.length).toBeLessThanOrEqual(2)
    expect(ours[0]?.msg).toMatch(/token verification failed/)
    // No per-answer error lines with stacks (the flood Fastify's 5xx logging used to cause).
    expect(lines.length).toBe(ours.length)
    for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled()
  })

  it('writes them to the logger option when one is given, and nothing to the console', async () => {
    const lines: string[] = []
    const logger = { warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) }
    const consoleSpies = spyConsole()
    await outage({ logger })
    expect(lines.length).toBeGreaterThanOrEqual(1)
    expect(lines.length).toBeLessThanOrEqual(2)
    for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled()
  })
})
