/**
 * On @hono/node-server the middleware reads the Authorization header from the Node request's raw
 * lines (`c.env.incoming`, through core's `authorizationOf`), without building the Web `Request`.
 * Node's parsed headers keep only one of repeated authorization lines: reading those instead would
 * trust one of two credentials, which the first test catches (the Web `Request` node-server builds
 * from the raw lines would refuse them too). Real HTTP on loopback against the emulator.
 */
import type { Server } from 'node:http'
import { createAdaptorServer } from '@hono/node-server'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { send } from '../../../test/helpers/http.js'
import { listen, type RunningServer } from '../../../test/helpers/server.js'
import { type M2MEnv, m2mAuth } from '../src/index.js'
import { type Fixture, startFixture } from './fixture.js'

let fx: Fixture
let server: RunningServer

beforeAll(async () => {
  fx = await startFixture()
  const app = new Hono<M2MEnv>().get('/orders', m2mAuth(fx.options), (c) =>
    c.json({ caller: c.var.m2m?.subject ?? null }),
  )
  server = await listen(createAdaptorServer({ fetch: app.fetch }) as Server)
})

afterAll(async () => {
  await server?.close()
  await fx?.close()
})

describe('m2mAuth() on @hono/node-server', () => {
  it('refuses two Authorization lines with 400, even when the token is cached', async () => {
    const authorization = `Bearer ${await fx.issue()}`
    const first = await send(`${server.url}/orders`, { headers: { authorization } })
    expect(first.status).toBe(200)
    expect(first.json).toEqual({ caller: fx.sender.id })

    const before = fx.emulator.stats().verify
    const twice = await send(`${server.url}/orders`, {
      headers: { authorization: [authorization, authorization] },
    })
    expect(twice.status).toBe(400)
    expect(twice.json).toMatchObject({ error: 'invalid_request' })
    expect(twice.headers['www-authenticate']).toMatch(/error="invalid_request"/)
    expect(fx.emulator.stats().verify).toBe(before)
  })

  it('answers a cached token from the cache, with no further call to the token service', async () => {
    const authorization = `Bearer ${await fx.issue()}`
    const before = fx.emulator.stats().verify
    for (let i = 0; i < 3; i++) {
      const res = await send(`${server.url}/orders`, { headers: { authorization } })
      expect(res.status).toBe(200)
      expect(res.json).toEqual({ caller: fx.sender.id })
    }
    expect(fx.emulator.stats().verify - before).toBe(1)
  })
})
