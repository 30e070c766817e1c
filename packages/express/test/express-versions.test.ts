import type { RequestHandler } from 'express'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { m2mAuth } from '../src/index.js'
import { express4, express5, type Fixture, startFixture } from './support.js'

let fx: Fixture

beforeAll(async () => {
  fx = await startFixture()
})

afterAll(async () => {
  await fx?.close()
})

describe.each([
  ['express 5', express5, '5.'],
  ['express 4', express4, '4.'],
])('on %s', (_name, express, major) => {
  it('runs the Express major it claims to', async () => {
    const { createRequire } = await import('node:module')
    const require = createRequire(import.meta.url)
    const name = major === '4.' ? 'express4/package.json' : 'express/package.json'
    expect((require(name) as { version: string }).version.startsWith(major)).toBe(true)
  })

  it('authenticates, sets req.m2m and hands the request on', async () => {
    const app = express()
    app.use(m2mAuth(fx.options))
    app.get('/orders', (req, res) => {
      res.json({ caller: req.m2m?.subject })
    })
    const res = await request(app)
      .get('/orders')
      .set('Authorization', await fx.bearer())
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ caller: fx.caller.id })
  })

  it('returns nothing to Express, so no rejected promise can be dropped, and answers failures itself', async () => {
    const returned: unknown[] = []
    const auth = m2mAuth({ ...fx.options, apiUrl: 'http://127.0.0.1:9' })
    const recording: RequestHandler = (req, res, next) => {
      returned.push(auth(req, res, next))
    }
    const app = express()
    app.get('/orders', recording, (_req, res) => {
      res.json({ ok: true })
    })
    const res = await request(app)
      .get('/orders')
      .set('Authorization', await fx.bearer())
    expect(res.status).toBe(503)
    expect(returned).toEqual([undefined])
  })

  it("lets an error thrown by the next handler reach Express's error handling", async () => {
    const app = express()
    app.get('/orders', m2mAuth(fx.options), () => {
      throw new Error('handler failed')
    })
    const res = await request(app)
      .get('/orders')
      .set('Authorization', await fx.bearer())
    expect(res.status).toBe(500)
  })
})
