import { M2MConfigError } from '@m2m-auth/core'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { send } from '../../../test/helpers/http.js'
import { listen } from '../../../test/helpers/server.js'
import { type M2MAuthOptions, m2mAuth } from '../src/index.js'
import { express5, type Fixture, startFixture } from './support.js'

let fx: Fixture

beforeAll(async () => {
  fx = await startFixture()
})

afterAll(async () => {
  await fx?.close()
})

function app(options: M2MAuthOptions = {}) {
  const app = express5()
  app.get('/orders', m2mAuth({ ...fx.options, ...options }), (req, res) => {
    res.json({ m2m: req.m2m })
  })
  return app
}

describe('m2mAuth()', () => {
  it('sets req.m2m to the verified token of the calling machine', async () => {
    const res = await request(app())
      .get('/orders')
      .set('Authorization', await fx.bearer())
    expect(res.status).toBe(200)
    expect(res.body.m2m).toMatchObject({
      tokenType: 'm2m_token',
      format: 'opaque',
      subject: fx.caller.id,
      scopes: [fx.api.id],
    })
    expect(res.body.m2m).not.toHaveProperty('token')
  })

  it('answers no credentials with 401, a bare challenge in realm "api" and no-store', async () => {
    const res = await request(app()).get('/orders')
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"')
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body).toEqual({ error: 'unauthorized', error_description: expect.any(String) })
  })

  it('names the configured realm in its challenges', async () => {
    const res = await request(app({ realm: 'orders' }))
      .get('/orders')
      .set('Authorization', 'Bearer mt_00000000000000000000000000000000')
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="orders", error="invalid_token"/)
    expect(res.body.error).toBe('invalid_token')
  })

  it('answers 403 insufficient_scope naming the scopes option when the token lacks one', async () => {
    const res = await request(app({ scope: [fx.api.id, fx.caller.id] }))
      .get('/orders')
      .set('Authorization', await fx.bearer())
    expect(res.status).toBe(403)
    expect(res.headers['www-authenticate']).toContain(`scope="${fx.api.id} ${fx.caller.id}"`)
    expect(res.body.error).toBe('insufficient_scope')
  })

  it('verifies a token once for repeated requests: one verifier per registration, with its cache', async () => {
    const server = await listen(app())
    try {
      const authorization = await fx.bearer()
      const before = fx.emulator.stats().verify
      for (let i = 0; i < 3; i++) {
        expect((await send(`${server.url}/orders`, { headers: { authorization } })).status).toBe(200)
      }
      expect(fx.emulator.stats().verify - before).toBe(1)
    } finally {
      await server.close()
    }
  })

  it('joins repeated Authorization headers, so two credentials are refused with 400', async () => {
    const server = await listen(app())
    try {
      const authorization = [await fx.bearer(), await fx.bearer()]
      const res = await send(`${server.url}/orders`, { headers: { authorization } })
      expect(res.status).toBe(400)
      expect(res.json).toMatchObject({ error: 'invalid_request' })
    } finally {
      await server.close()
    }
  })

  it('never calls the token service for a malformed header', async () => {
    const before = fx.emulator.stats().verify
    const res = await request(app()).get('/orders').set('Authorization', 'Bearer a b')
    expect(res.status).toBe(400)
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_request"/)
    expect(fx.emulator.stats().verify).toBe(before)
  })

  it('checks its options at registration, before any request', () => {
    expect(() => m2mAuth({ ...fx.options, timeoutMs: 0 })).toThrow(M2MConfigError)
    expect(() => m2mAuth({ ...fx.options, errorHandling: 'throw' as 'next' })).toThrow(
      expect.objectContaining({ option: 'errorHandling' }),
    )
  })
})

describe('m2mAuth({ optional: true })', () => {
  it('lets a request without credentials through with req.m2m = null', async () => {
    const res = await request(app({ optional: true })).get('/orders')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ m2m: null })
  })

  it('still sets req.m2m for a valid token', async () => {
    const res = await request(app({ optional: true }))
      .get('/orders')
      .set('Authorization', await fx.bearer())
    expect(res.status).toBe(200)
    expect(res.body.m2m.subject).toBe(fx.caller.id)
  })

  it('still refuses a bad token and a malformed header', async () => {
    const bad = await request(app({ optional: true }))
      .get('/orders')
      .set('Authorization', 'Bearer mt_11111111111111111111111111111111')
    expect(bad.status).toBe(401)
    expect(bad.body.error).toBe('invalid_token')
    const malformed = await request(app({ optional: true }))
      .get('/orders')
      .set('Authorization', 'Bearer')
    expect(malformed.status).toBe(400)
  })
})
