import { M2MConfigError, type M2MError } from '@m2m-auth/core'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { m2mAuth, requireScopes } from '../src/index.js'
import { bearer, type Fixture, startFixture } from './fixture.js'

let fx: Fixture
let ledgerId: string
beforeAll(async () => {
  fx = await startFixture()
  // A machine the sender may not talk to: its tokens never carry this scope.
  ledgerId = fx.emulator.createMachine({ name: 'ledger-service' }).id
})
afterAll(() => fx.close())

function app(options: { optional?: boolean; realm?: string } = {}) {
  return new Hono()
    .use('/orders/*', m2mAuth({ ...fx.options, ...options }))
    .get('/orders/mine', requireScopes(fx.receiver.id), (c) => c.text('mine'))
    .get('/orders/ledger', requireScopes(fx.receiver.id, ledgerId), (c) => c.text('ledger'))
}

describe('requireScopes()', () => {
  it('lets a token through when it carries every required scope', async () => {
    const res = await app().request('/orders/mine', bearer(await fx.issue()))
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('mine')
  })

  it('answers 403 insufficient_scope naming the required scopes when one is missing', async () => {
    const res = await app().request('/orders/ledger', bearer(await fx.issue()))
    expect(res.status).toBe(403)
    const challenge = res.headers.get('www-authenticate')
    expect(challenge).toContain('error="insufficient_scope"')
    expect(challenge).toContain(`scope="${fx.receiver.id} ${ledgerId}"`)
    expect(await res.json()).toMatchObject({ error: 'insufficient_scope' })
  })

  it('answers with the realm of the m2mAuth() that ran before it', async () => {
    const res = await app({ realm: 'ledger' }).request('/orders/ledger', bearer(await fx.issue()))
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="ledger", /)
  })

  it('answers 401 behind an optional m2mAuth() when the request has no credentials', async () => {
    const res = await app({ optional: true }).request('/orders/mine')
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"')
  })

  it('fails as a server error, not a 401, when m2mAuth() did not run first', async () => {
    const errors: M2MError[] = []
    const bare = new Hono()
      .get('/', requireScopes(fx.receiver.id), (c) => c.text('unreachable'))
      .onError((err, c) => {
        errors.push(err as M2MError)
        return c.text('wiring', 500)
      })
    const res = await bare.request('/')
    expect(res.status).toBe(500)
    expect(errors[0]?.code).toBe('m2m_middleware_missing')
    expect(errors[0]?.message).toMatch(/after m2mAuth\(\)/)
  })

  it('refuses to be built without scopes or with empty ones', () => {
    expect(() => requireScopes()).toThrow(M2MConfigError)
    expect(() => requireScopes('')).toThrow(M2MConfigError)
  })
})
