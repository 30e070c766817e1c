import request from 'supertest'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startEmulator } from '../../../test/helpers/emulator.js'
import { type M2MAuthOptions, m2mAuth } from '../src/index.js'
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
})

describe.each([
  ['express 5', express5],
  ['express 4', express4],
])('a failing token service on %s: 503, never 401', (_name, express) => {
  function app(options: M2MAuthOptions = {}) {
    const app = express()
    app.get('/orders', m2mAuth({ ...fx.options, ...options }), (req, res) => {
      res.json({ caller: req.m2m?.subject })
    })
    return app
  }

  function expect503(res: request.Response) {
    expect(res.status).toBe(503)
    expect(res.body.error).toBe('temporarily_unavailable')
    expect(res.headers['retry-after']).toMatch(/^[1-9]\d*$/)
    expect(res.headers['www-authenticate']).toBeUndefined()
    expect(res.headers['cache-control']).toBe('no-store')
  }

  it('answers 503 when the token service is stopped', async () => {
    const stopped = await startEmulator({ port: 0, host: '127.0.0.1' })
    await stopped.close()
    expect503(
      await request(app({ apiUrl: stopped.url }))
        .get('/orders')
        .set('Authorization', await fx.bearer()),
    )
  })

  it('answers 503 when the token service fails with 5xx', async () => {
    const authorization = await fx.bearer()
    fx.emulator.setFaults({ errorRate: 1, errorStatus: 502 })
    expect503(await request(app()).get('/orders').set('Authorization', authorization))
  })

  it("answers 503 with the token service's Retry-After when rate limited", async () => {
    const authorization = await fx.bearer()
    fx.emulator.setFaults({ rateLimitRate: 1, retryAfterSeconds: 4 })
    const res = await request(app()).get('/orders').set('Authorization', authorization)
    expect503(res)
    expect(res.headers['retry-after']).toBe('4')
  })

  it('keeps serving a token verified before the outage from its cache', async () => {
    const auth = app()
    const authorization = await fx.bearer()
    expect((await request(auth).get('/orders').set('Authorization', authorization)).status).toBe(200)
    fx.emulator.setFaults({ errorRate: 1 })
    const res = await request(auth).get('/orders').set('Authorization', authorization)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ caller: fx.caller.id })
  })
})
