/**
 * The adapter API shared by the three adapters, on Hono served by @hono/node-server over real HTTP
 * against the emulator: unknown options refused with a suggestion, `scope` as a string or a list,
 * `callers` and `authorize` (with the Hono Context) at middleware and route level, a shared
 * `verifier`, optional never weakening a requirement, and the logger seam.
 */
import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { createVerifier, M2MConfigError } from '@m2m-auth/core'
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { listen, type RunningServer } from '../../../test/helpers/server.js'
import { type M2MAuthOptions, type M2MEnv, m2mAuth, requireM2M, requireScopes } from '../src/index.js'
import { type Fixture, startFixture } from './fixture.js'

let fx: Fixture
const servers: RunningServer[] = []

beforeAll(async () => {
  fx = await startFixture()
})

afterEach(async () => {
  fx.emulator.setFaults({})
  vi.restoreAllMocks()
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

afterAll(async () => {
  await fx?.close()
})

/** Serves `app` on loopback; closed after the test. */
async function serve(app: Hono<M2MEnv>): Promise<string> {
  const server = await listen(createAdaptorServer({ fetch: app.fetch }) as Server)
  servers.push(server)
  return server.url
}

async function orders(options: M2MAuthOptions, ...route: MiddlewareHandler<M2MEnv>[]): Promise<string> {
  const app = new Hono<M2MEnv>().get('/orders', m2mAuth({ ...fx.options, ...options }), ...route, (c) =>
    c.json({ caller: c.var.m2m?.subject ?? null }),
  )
  return serve(app)
}

const get = async (url: string, token?: string) =>
  fetch(`${url}/orders`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  })

describe('the shared adapter API on Hono', () => {
  it('refuses an unknown option at construction, naming it and the known one it is close to', () => {
    for (const [key, suggestion] of [
      ['scopes', 'scope'],
      ['secretkey', 'secretKey'],
      ['authorise', 'authorize'],
    ] as const) {
      let error: unknown
      try {
        m2mAuth({ ...fx.options, [key]: 'mch_x' } as M2MAuthOptions)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(M2MConfigError)
      expect(error).toMatchObject({
        option: key,
        message: expect.stringContaining(`did you mean \`${suggestion}\`?`),
      })
    }
  })

  it('takes scope as a machine id or a list: 403 without it, 200 with it', async () => {
    const token = await fx.issue()
    expect((await get(await orders({ scope: fx.receiver.id }), token)).status).toBe(200)
    expect((await get(await orders({ scope: [fx.receiver.id] }), token)).status).toBe(200)
    const refused = await get(await orders({ scope: [fx.receiver.id, fx.sender.id] }), token)
    expect(refused.status).toBe(403)
    expect(refused.headers.get('www-authenticate')).toContain(`scope="${fx.receiver.id} ${fx.sender.id}"`)
  })

  it('lets only the listed callers through, at middleware and at route level', async () => {
    const token = await fx.issue()
    const ok = await get(await orders({ callers: [fx.sender.id] }), token)
    expect(await ok.json()).toEqual({ caller: fx.sender.id })
    const other = await get(await orders({ callers: fx.receiver.id }), token)
    expect(other.status).toBe(403)
    expect(await other.json()).toMatchObject({ error: 'insufficient_scope' })
    expect((await get(await orders({}, requireM2M({ callers: fx.sender.id })), token)).status).toBe(200)
    expect((await get(await orders({}, requireM2M({ callers: [fx.receiver.id] })), token)).status).toBe(403)
  })

  it('asks authorize hooks (sync or async) with the token and the Hono Context: false is 403', async () => {
    const token = await fx.issue()
    const seen: string[] = []
    const hook = async (t: { subject: string }, c: Context) => {
      seen.push(`${t.subject} ${c.req.header('x-amount')}`)
      return Number(c.req.header('x-amount')) < 100
    }
    const url = await orders({ authorize: hook })
    const send = (amount: string) =>
      fetch(`${url}/orders`, { headers: { authorization: `Bearer ${token}`, 'x-amount': amount } })
    expect((await send('5')).status).toBe(200)
    const no = await send('500')
    expect(no.status).toBe(403)
    expect(no.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/)
    expect(seen).toEqual([`${fx.sender.id} 5`, `${fx.sender.id} 500`])
    const route = await orders({}, requireM2M({ authorize: async (_t, c) => c.req.header('x-ok') === '1' }))
    const call = (ok: string) =>
      fetch(`${route}/orders`, { headers: { authorization: `Bearer ${token}`, 'x-ok': ok } })
    expect((await call('1')).status).toBe(200)
    expect((await call('0')).status).toBe(403)
  })

  it("sends an authorize hook's exception to Hono's error path (500), not as a 403", async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined) // Hono's default onError logs it
    const url = await orders({ authorize: async () => Promise.reject(new Error('db down')) })
    expect((await get(url, await fx.issue())).status).toBe(500)
  })

  it('answers 401 without credentials where optional meets a requirement, middleware or route level', async () => {
    for (const options of [
      { optional: true, scope: fx.receiver.id },
      { optional: true, callers: fx.sender.id },
      { optional: true, authorize: () => true },
    ]) {
      const res = await get(await orders(options))
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"')
    }
    expect(await (await get(await orders({ optional: true }))).json()).toEqual({ caller: null })
    expect((await get(await orders({ optional: true }, requireM2M({ callers: fx.sender.id })))).status).toBe(
      401,
    )
    expect((await get(await orders({ optional: true }, requireScopes(fx.receiver.id)))).status).toBe(401)
  })

  it('shares one verifier between middlewares: one upstream call for a token they all see', async () => {
    const verifier = createVerifier({ ...fx.options })
    const app = new Hono<M2MEnv>()
      .get('/one', m2mAuth({ verifier }), (c) => c.json({ ok: 1 }))
      .get('/two', m2mAuth({ verifier, callers: fx.sender.id, realm: 'two' }), (c) => c.json({ ok: 2 }))
    const url = await serve(app)
    const token = await fx.issue()
    const before = fx.emulator.stats().verify
    for (const path of ['/one', '/two']) {
      expect((await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
        200,
      )
    }
    expect(fx.emulator.stats().verify - before).toBe(1)
    expect(() => m2mAuth({ verifier, cache: false })).toThrow(/`cache` cannot be given next to `verifier`/)
  })

  it('writes a bounded number of outage lines to the logger and nothing to the console', async () => {
    const lines: string[] = []
    const logger = { warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) }
    const consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation(() => undefined),
    )
    const url = await orders({ logger, retry: false })
    fx.emulator.setFaults({ errorRate: 1, errorStatus: 503 })
    for (let i = 0; i < 20; i++) {
      expect((await get(url, `mt_${String(i).padStart(32, 'f')}`)).status).toBe(503)
    }
    expect(lines.length).toBeGreaterThanOrEqual(1)
    expect(lines.length).toBeLessThanOrEqual(2)
    expect(lines[0]).toMatch(/\[m2m-auth\] token verification failed/)
    for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled()
  })

  it('logs a configuration error met at request time once, through the logger', async () => {
    const lines: string[] = []
    const logger = { warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) }
    // No key anywhere at construction: it may still come with request bindings (Workers).
    const auth = m2mAuth({ logger, apiUrl: fx.emulator.url })
    const app = new Hono<M2MEnv>().get('/orders', auth, (c) => c.json({ ok: true }))
    const env = { CLERK_SECRET_KEY: 'not-a-key' }
    for (let i = 0; i < 3; i++) expect((await app.request('/orders', {}, env)).status).toBe(500)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/answering 500 server_error: .*secretKey/)
    expect(lines[0]).not.toContain('not-a-key')
  })
})
