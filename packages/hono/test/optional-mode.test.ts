import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { m2mAuth } from '../src/index.js'
import { bearer, type Fixture, startFixture, UNKNOWN_TOKEN } from './fixture.js'

let fx: Fixture
beforeAll(async () => {
  fx = await startFixture()
})
afterAll(() => fx.close())

function optionalApp() {
  return new Hono()
    .use(m2mAuth({ ...fx.options, optional: true }))
    .get('/', (c) => c.json({ caller: c.var.m2m === null ? 'anonymous' : c.var.m2m.subject }))
}

describe('m2mAuth({ optional: true })', () => {
  it('lets a request without credentials through with c.var.m2m === null', async () => {
    const res = await optionalApp().request('/')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ caller: 'anonymous' })
  })

  it('treats another auth scheme as no bearer credentials', async () => {
    const res = await optionalApp().request('/', { headers: { authorization: 'Basic Zm9vOmJhcg==' } })
    expect(await res.json()).toEqual({ caller: 'anonymous' })
  })

  it('still verifies a token that is present', async () => {
    const res = await optionalApp().request('/', bearer(await fx.issue()))
    expect(await res.json()).toEqual({ caller: fx.sender.id })
  })

  it('still refuses a bad token with 401 invalid_token', async () => {
    const res = await optionalApp().request('/', bearer(UNKNOWN_TOKEN))
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"')
  })

  it('still refuses a malformed header with 400 invalid_request', async () => {
    const res = await optionalApp().request('/', { headers: { authorization: 'Bearer' } })
    expect(res.status).toBe(400)
  })
})
