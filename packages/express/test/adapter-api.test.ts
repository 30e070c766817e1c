/**
 * The adapter API shared by the three adapters, on Express 5 and 4 over real HTTP against the
 * emulator: unknown options refused with a suggestion, `scope` as a string or a list, `callers`
 * and `authorize` at middleware and route level, a shared `verifier`, optional never weakening a
 * requirement, the logger seam, and requests whose headers come without a raw list.
 */
import { createServer } from 'node:http'
import { createVerifier, M2MConfigError } from '@m2m-auth/core'
import type { Request } from 'express'
import request from 'supertest'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { listen } from '../../../test/helpers/server.js'
import { type M2MAuthOptions, m2mAuth, requireM2M, requireScopes } from '../src/index.js'
import { express4, express5, type Fixture, startFixture } from './support.js'

let fx: Fixture

beforeAll(async () => {
  fx = await startFixture()
})

afterAll(async () => {
  await fx?.close()
})

afterEach(() => {
  fx.emulator.setFaults({})
  vi.restoreAllMocks()
})

describe.each([
  ['express 5', express5],
  ['express 4', express4],
])('the shared adapter API on %s', (_name, express) => {
  function app(options: M2MAuthOptions, ...route: ReturnType<typeof requireM2M>[]) {
    const app = express()
    app.get('/orders', m2mAuth({ ...fx.options, ...options }), ...route, (req, res) => {
      res.json({ caller: req.m2m?.subject ?? null })
    })
    return app
  }

  it('refuses an unknown option at construction, naming it and the known one it is close to', () => {
    for (const [key, suggestion] of [
      ['scopes', 'scope'],
      ['secretkey', 'secretKey'],
      ['caller', 'callers'],
    ] as const) {
      const error = (() => {
        try {
          m2mAuth({ ...fx.options, [key]: [fx.api.id] } as M2MAuthOptions)
        } catch (e) {
          return e
        }
      })()
      expect(error).toBeInstanceOf(M2MConfigError)
      expect(error).toMatchObject({
        option: key,
        message: expect.stringContaining(`did you mean \`${suggestion}\`?`),
      })
    }
    expect(() => m2mAuth({ ...fx.options, cache: { ttl: 5 } } as M2MAuthOptions)).toThrow(
      /did you mean `cache\.ttlMs`\?/,
    )
  })

  it('takes scope as a machine id or a list: 403 without it, 200 with it', async () => {
    const bearer = await fx.bearer()
    expect(
      (
        await request(app({ scope: fx.api.id }))
          .get('/orders')
          .set('Authorization', bearer)
      ).status,
    ).toBe(200)
    expect(
      (
        await request(app({ scope: [fx.api.id] }))
          .get('/orders')
          .set('Authorization', bearer)
      ).status,
    ).toBe(200)
    const refused = await request(app({ scope: [fx.api.id, fx.caller.id] }))
      .get('/orders')
      .set('Authorization', bearer)
    expect(refused.status).toBe(403)
    expect(refused.headers['www-authenticate']).toContain(`scope="${fx.api.id} ${fx.caller.id}"`)
  })

  it('lets only the listed callers through, at middleware and at route level', async () => {
    const bearer = await fx.bearer()
    const send = (a: ReturnType<typeof app>) => request(a).get('/orders').set('Authorization', bearer)
    expect((await send(app({ callers: [fx.caller.id] }))).body).toEqual({ caller: fx.caller.id })
    const other = await send(app({ callers: fx.api.id }))
    expect(other.status).toBe(403)
    expect(other.body.error).toBe('insufficient_scope')
    expect((await send(app({}, requireM2M({ callers: fx.caller.id })))).status).toBe(200)
    expect((await send(app({}, requireM2M({ callers: [fx.api.id] })))).status).toBe(403)
  })

  it('asks an authorize hook (sync or async) with the token and Express req: false is 403', async () => {
    const bearer = await fx.bearer()
    const seen: string[] = []
    const hook = async (token: { subject: string }, req: Request) => {
      seen.push(`${token.subject} ${req.path} ${req.query.amount}`)
      return Number(req.query.amount) < 100
    }
    const a = app({ authorize: hook })
    expect((await request(a).get('/orders?amount=5').set('Authorization', bearer)).status).toBe(200)
    const no = await request(a).get('/orders?amount=500').set('Authorization', bearer)
    expect(no.status).toBe(403)
    expect(no.headers['www-authenticate']).toMatch(/error="insufficient_scope"/)
    expect(seen).toEqual([`${fx.caller.id} /orders 5`, `${fx.caller.id} /orders 500`])
    const route = app({}, requireM2M({ authorize: async (_t, req) => req.query.ok === '1' }))
    expect((await request(route).get('/orders?ok=1').set('Authorization', bearer)).status).toBe(200)
    expect((await request(route).get('/orders?ok=0').set('Authorization', bearer)).status).toBe(403)
  })

  it("sends an authorize hook's exception to Express's error handler (500), not as a 403", async () => {
    const bearer = await fx.bearer()
    vi.spyOn(console, 'error').mockImplementation(() => undefined) // Express's default handler logs it
    const res = await request(app({ authorize: async () => Promise.reject(new Error('db down')) }))
      .get('/orders')
      .set('Authorization', bearer)
    expect(res.status).toBe(500)
  })

  it('answers 401 to a request without credentials where optional meets a requirement', async () => {
    for (const options of [
      { optional: true, scope: fx.api.id },
      { optional: true, callers: fx.caller.id },
      { optional: true, authorize: () => true },
    ]) {
      const res = await request(app(options)).get('/orders')
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api"')
    }
    expect((await request(app({ optional: true })).get('/orders')).body).toEqual({ caller: null })
    const routeLevel = await request(app({ optional: true }, requireM2M({ callers: fx.caller.id }))).get(
      '/orders',
    )
    expect(routeLevel.status).toBe(401)
    expect((await request(app({ optional: true }, requireScopes(fx.api.id))).get('/orders')).status).toBe(401)
  })

  it('shares one verifier between middlewares: one upstream call for a token they all see', async () => {
    const verifier = createVerifier({ ...fx.options })
    const a = express()
    a.get('/one', m2mAuth({ verifier }), (_req, res) => res.json({ ok: 1 }))
    a.get('/two', m2mAuth({ verifier, callers: fx.caller.id }), (_req, res) => res.json({ ok: 2 }))
    a.get('/three', m2mAuth({ verifier, scope: fx.api.id, realm: 'three' }), (_req, res) =>
      res.json({ ok: 3 }),
    )
    const bearer = await fx.bearer()
    const before = fx.emulator.stats().verify
    for (const path of ['/one', '/two', '/three']) {
      expect((await request(a).get(path).set('Authorization', bearer)).status).toBe(200)
    }
    expect(fx.emulator.stats().verify - before).toBe(1)
    expect(() => m2mAuth({ verifier, timeoutMs: 10 })).toThrow(
      /`timeoutMs` cannot be given next to `verifier`/,
    )
  })

  it('writes outage lines to the logger, a bounded number, and nothing to the console', async () => {
    const lines: string[] = []
    const logger = { warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) }
    const consoleCalls = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation(() => undefined),
    )
    const a = app({ logger, retry: false })
    fx.emulator.setFaults({ errorRate: 1, errorStatus: 503 })
    for (let i = 0; i < 20; i++) {
      const res = await request(a)
        .get('/orders')
        .set('Authorization', `Bearer mt_${String(i).padStart(32, 'c')}`)
      expect(res.status).toBe(503)
    }
    expect(lines.length).toBeGreaterThanOrEqual(1)
    expect(lines.length).toBeLessThanOrEqual(2)
    expect(lines[0]).toMatch(/\[m2m-auth\] token verification failed/)
    for (const spy of consoleCalls) expect(spy).not.toHaveBeenCalled()
  })

  it('reads Authorization from parsed headers when the request has no raw header list', async () => {
    const a = app({})
    const bridge = await listen(
      createServer((req, res) => {
        // As serverless bridges and test helpers build requests: headers only, no raw list.
        Object.defineProperty(req, 'rawHeaders', { value: [] })
        a(req, res)
      }),
    )
    try {
      const ok = await fetch(`${bridge.url}/orders`, { headers: { authorization: await fx.bearer() } })
      expect(ok.status).toBe(200)
      expect((await fetch(`${bridge.url}/orders`)).status).toBe(401)
    } finally {
      await bridge.close()
    }
  })
})
