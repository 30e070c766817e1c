import type { ErrorRequestHandler } from 'express'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthError, type M2MAuthOptions, m2mAuth, requireScopes, toErrorResponse } from '../src/index.js'
import { express4, express5, type Fixture, startFixture } from './support.js'

let fx: Fixture

beforeAll(async () => {
  fx = await startFixture()
})

afterAll(async () => {
  await fx?.close()
})

const GARBAGE = 'Bearer mt_22222222222222222222222222222222'

/** An app in `errorHandling: 'next'` mode whose error handler records errors and renders them. */
function appWithHandler(express: typeof express5, options: M2MAuthOptions = {}) {
  const seen: unknown[] = []
  const app = express()
  const auth = m2mAuth({ ...fx.options, errorHandling: 'next', realm: 'orders', ...options })
  app.get('/orders', auth, (_req, res) => {
    res.json({ ok: true })
  })
  app.get('/admin', auth, requireScopes('mch_adminadminadminadminadminad'), (_req, res) => {
    res.json({ ok: true })
  })
  const onError: ErrorRequestHandler = (err, _req, res, next) => {
    seen.push(err)
    if (!(err instanceof AuthError)) return next(err)
    const { status, headers, body } = toErrorResponse(err, { realm: 'orders' })
    res.status(status).set(headers).json(body)
  }
  app.use(onError)
  return { app, seen }
}

describe.each([
  ['express 5', express5],
  ['express 4', express4],
])("m2mAuth({ errorHandling: 'next' }) on %s", (_name, express) => {
  it("hands the AuthError to the app's error handler, which can render it with toErrorResponse", async () => {
    const { app, seen } = appWithHandler(express)
    const res = await request(app).get('/orders').set('Authorization', GARBAGE)
    expect(seen).toHaveLength(1)
    expect(seen[0]).toBeInstanceOf(AuthError)
    expect(seen[0]).toMatchObject({ status: 401, code: 'invalid_token' })
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="orders", error="invalid_token"/)
    expect(res.headers['cache-control']).toBe('no-store')
  })

  it('passes a token service outage as a 503 AuthError with retryAfterSeconds', async () => {
    const { app, seen } = appWithHandler(express, { apiUrl: 'http://127.0.0.1:9' })
    const res = await request(app)
      .get('/orders')
      .set('Authorization', await fx.bearer())
    expect(seen[0]).toMatchObject({ status: 503, code: 'temporarily_unavailable' })
    expect((seen[0] as AuthError).retryAfterSeconds).toBeGreaterThanOrEqual(1)
    expect(res.status).toBe(503)
    expect(res.headers['retry-after']).toMatch(/^\d+$/)
    expect(res.headers['www-authenticate']).toBeUndefined()
  })

  it('makes requireScopes() hand its 403 to next(err) too', async () => {
    const { app, seen } = appWithHandler(express)
    const res = await request(app)
      .get('/admin')
      .set('Authorization', await fx.bearer())
    expect(seen[0]).toMatchObject({ status: 403, code: 'insufficient_scope' })
    expect(res.status).toBe(403)
    expect(res.headers['www-authenticate']).toContain('scope="mch_adminadminadminadminadminad"')
  })

  it('calls no error handler for a valid token', async () => {
    const { app, seen } = appWithHandler(express)
    const res = await request(app)
      .get('/orders')
      .set('Authorization', await fx.bearer())
    expect(res.status).toBe(200)
    expect(seen).toEqual([])
  })

  it("lets Express's own default handler send the challenge, Retry-After and no-store", async () => {
    const app = express()
    const auth = m2mAuth({ ...fx.options, errorHandling: 'next', realm: 'orders', retry: false })
    app.get('/orders', auth, (_req, res) => {
      res.json({ ok: true })
    })
    app.get('/admin', auth, requireScopes('mch_adminadminadminadminadminad'), (_req, res) => {
      res.json({ ok: true })
    })
    // No error handler of the app's: Express's finalhandler renders the error.
    const unknown = await request(app).get('/orders').set('Authorization', GARBAGE)
    expect(unknown.status).toBe(401)
    expect(unknown.headers['www-authenticate']).toMatch(/^Bearer realm="orders", error="invalid_token"/)
    expect(unknown.headers['cache-control']).toBe('no-store')
    const none = await request(app).get('/orders')
    expect(none.status).toBe(401)
    expect(none.headers['www-authenticate']).toBe('Bearer realm="orders"')
    const scoped = await request(app)
      .get('/admin')
      .set('Authorization', await fx.bearer())
    expect(scoped.status).toBe(403)
    expect(scoped.headers['www-authenticate']).toContain('scope="mch_adminadminadminadminadminad"')
    const authorization = await fx.bearer()
    fx.emulator.setFaults({ rateLimitRate: 1, retryAfterSeconds: 4 })
    try {
      const limited = await request(app).get('/orders').set('Authorization', authorization)
      expect(limited.status).toBe(503)
      expect(limited.headers['retry-after']).toBe('4')
      expect(limited.headers['cache-control']).toBe('no-store')
      expect(limited.headers['www-authenticate']).toBeUndefined()
    } finally {
      fx.emulator.setFaults({})
    }
  })

  it("leaves Express's default handler the error's status when the app has no handler", async () => {
    const app = express()
    app.get('/orders', m2mAuth({ ...fx.options, errorHandling: 'next' }), (_req, res) => {
      res.json({ ok: true })
    })
    const res = await request(app).get('/orders').set('Authorization', GARBAGE)
    expect(res.status).toBe(401)
    expect(res.text).not.toContain('mt_2222')
  })
})
