import { M2MConfigError, M2MError } from '@m2m-auth/core'
import type { ErrorRequestHandler } from 'express'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getM2MAuth, type M2MAuthOptions, m2mAuth, requireScopes } from '../src/index.js'
import { express5, type Fixture, startFixture } from './support.js'

let fx: Fixture

beforeAll(async () => {
  fx = await startFixture()
})

afterAll(async () => {
  await fx?.close()
})

function scopedApp(scopes: () => string[], options: M2MAuthOptions = {}) {
  const app = express5()
  app.use(m2mAuth({ ...fx.options, ...options }))
  app.get('/reports', requireScopes(...scopes()), (req, res) => {
    res.json({ caller: getM2MAuth(req)?.subject })
  })
  return app
}

describe('requireScopes()', () => {
  it('lets a token scoped to every required machine through', async () => {
    const res = await request(scopedApp(() => [fx.api.id]))
      .get('/reports')
      .set('Authorization', await fx.bearer())
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ caller: fx.caller.id })
  })

  it('answers 403 insufficient_scope naming every required scope when one is missing', async () => {
    const res = await request(scopedApp(() => [fx.api.id, fx.caller.id]))
      .get('/reports')
      .set('Authorization', await fx.bearer())
    expect(res.status).toBe(403)
    expect(res.headers['www-authenticate']).toBe(
      `Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required scope", scope="${fx.api.id} ${fx.caller.id}"`,
    )
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body.error).toBe('insufficient_scope')
  })

  it('uses the realm of the m2mAuth() that ran before it', async () => {
    const res = await request(scopedApp(() => [fx.caller.id], { realm: 'reports' }))
      .get('/reports')
      .set('Authorization', await fx.bearer())
    expect(res.status).toBe(403)
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="reports", error="insufficient_scope"/)
  })

  it('answers 401 with a bare challenge after optional m2mAuth() let a request without credentials in', async () => {
    const res = await request(scopedApp(() => [fx.api.id], { optional: true })).get('/reports')
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"')
    expect(res.body.error).toBe('unauthorized')
  })

  it('needs at least one scope, checked at registration', () => {
    expect(() => requireScopes()).toThrow(M2MConfigError)
  })

  it("hands a missing m2mAuth() to the app's error handling instead of answering 401", async () => {
    const seen: unknown[] = []
    const app = express5()
    app.get('/reports', requireScopes('mch_x'), (_req, res) => {
      res.json({ ok: true })
    })
    const onError: ErrorRequestHandler = (err, _req, res, _next) => {
      seen.push(err)
      res.status(500).json({ error: 'server_error' })
    }
    app.use(onError)
    const res = await request(app)
      .get('/reports')
      .set('Authorization', await fx.bearer())
    expect(res.status).toBe(500)
    expect(seen[0]).toBeInstanceOf(M2MError)
    expect(seen[0]).toMatchObject({ code: 'm2m_middleware_missing' })
  })
})

describe('getM2MAuth()', () => {
  it('returns the token m2mAuth() verified, and null in optional mode without credentials', async () => {
    const app = express5()
    app.get('/me', m2mAuth({ ...fx.options, optional: true }), (req, res) => {
      res.json({ m2m: getM2MAuth(req) })
    })
    const anonymous = await request(app).get('/me')
    expect(anonymous.body).toEqual({ m2m: null })
    const caller = await request(app)
      .get('/me')
      .set('Authorization', await fx.bearer())
    expect(caller.body.m2m.subject).toBe(fx.caller.id)
  })

  it('throws an error telling how to register m2mAuth() when it did not run', async () => {
    const seen: unknown[] = []
    const app = express5()
    app.get('/me', (req, res) => {
      res.json({ m2m: getM2MAuth(req) })
    })
    const onError: ErrorRequestHandler = (err, _req, res, _next) => {
      seen.push(err)
      res.status(500).end()
    }
    app.use(onError)
    expect((await request(app).get('/me')).status).toBe(500)
    expect(seen[0]).toBeInstanceOf(M2MError)
    expect((seen[0] as Error).message).toMatch(/m2mAuth\(\) did not run.*app\.use\(m2mAuth\(\)\)/)
  })
})
