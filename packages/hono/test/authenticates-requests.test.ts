import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { m2mAuth } from '../src/index.js'
import { bearer, type Fixture, startFixture, UNKNOWN_TOKEN } from './fixture.js'

let fx: Fixture
beforeAll(async () => {
  fx = await startFixture()
})
afterAll(() => fx.close())

function protectedApp(options: Parameters<typeof m2mAuth>[0] = {}) {
  return new Hono()
    .use('/orders/*', m2mAuth({ ...fx.options, ...options }))
    .get('/orders', (c) => c.json({ caller: c.var.m2m?.subject, scopes: c.var.m2m?.scopes }))
}

describe('m2mAuth()', () => {
  it('lets a valid token through and exposes the verified token as c.var.m2m', async () => {
    const res = await protectedApp().request('/orders', bearer(await fx.issue()))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ caller: fx.sender.id, scopes: [fx.receiver.id] })
  })

  it('answers a request without credentials with 401 and a bare challenge naming the realm', async () => {
    const res = await protectedApp({ realm: 'orders' }).request('/orders')
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="orders"')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await res.json()).toMatchObject({ error: 'unauthorized' })
  })

  it('answers a malformed Authorization header with 400 invalid_request', async () => {
    const res = await protectedApp().request('/orders', { headers: { authorization: 'Bearer a b' } })
    expect(res.status).toBe(400)
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_request"')
    expect(await res.json()).toMatchObject({ error: 'invalid_request' })
  })

  it('answers an unknown token with 401 invalid_token and never echoes the token', async () => {
    const res = await protectedApp().request('/orders', bearer(UNKNOWN_TOKEN))
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="api", error="invalid_token"/)
    const text = await res.text()
    expect(JSON.parse(text)).toMatchObject({ error: 'invalid_token' })
    expect(text + res.headers.get('www-authenticate')).not.toContain(UNKNOWN_TOKEN)
  })

  it('answers a token lacking a scope required by the scope option with 403 insufficient_scope', async () => {
    const other = fx.emulator.createMachine({ name: `ledger-${Date.now()}` })
    const res = await protectedApp({ scope: [other.id] }).request('/orders', bearer(await fx.issue()))
    expect(res.status).toBe(403)
    expect(res.headers.get('www-authenticate')).toContain(`scope="${other.id}"`)
    expect(await res.json()).toMatchObject({ error: 'insufficient_scope' })
  })

  it('accepts a token carrying every scope required by the scope option', async () => {
    const res = await protectedApp({ scope: fx.receiver.id }).request('/orders', bearer(await fx.issue()))
    expect(res.status).toBe(200)
  })

  it('answers 503 with the Retry-After of a rate-limited token service, never 401', async () => {
    const app = protectedApp()
    const token = await fx.issue()
    fx.emulator.setFaults({ rateLimitRate: 1, retryAfterSeconds: 7, routes: ['verify'] })
    try {
      const res = await app.request('/orders', bearer(token))
      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('7')
      expect(res.headers.get('www-authenticate')).toBeNull()
      expect(await res.json()).toMatchObject({ error: 'temporarily_unavailable' })
    } finally {
      fx.emulator.setFaults({})
    }
  })

  it('answers 503 with a Retry-After when the token service fails with 5xx', async () => {
    const app = protectedApp()
    const token = await fx.issue()
    fx.emulator.setFaults({ errorRate: 1, errorStatus: 502, routes: ['verify'] })
    try {
      const res = await app.request('/orders', bearer(token))
      expect(res.status).toBe(503)
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    } finally {
      fx.emulator.setFaults({})
    }
    expect((await app.request('/orders', bearer(token))).status).toBe(200)
  })

  it('answers 500 server_error when the token service rejects our own secret key', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const secretKey = 'ak_not_a_key_the_emulator_knows'
    const app = new Hono().use(m2mAuth({ apiUrl: fx.emulator.url, secretKey })).get('/', (c) => c.text('no'))
    const res = await app.request('/', bearer(await fx.issue()))
    expect(res.status).toBe(500)
    expect(res.headers.get('www-authenticate')).toBeNull()
    expect(await res.json()).toMatchObject({ error: 'server_error' })
    expect(log).toHaveBeenCalled()
    expect(JSON.stringify(log.mock.calls)).not.toContain(secretKey)
    log.mockRestore()
  })

  it('leaves routes outside its path unprotected', async () => {
    const app = protectedApp().get('/health', (c) => c.text('ok'))
    expect((await app.request('/health')).status).toBe(200)
  })
})
