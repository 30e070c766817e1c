import { InvalidTokenError, MissingTokenError } from '@m2m-auth/core'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthError, m2mAuth } from '../src/index.js'
import { bearer, type Fixture, startFixture, UNKNOWN_TOKEN } from './fixture.js'

let fx: Fixture
beforeAll(async () => {
  fx = await startFixture()
})
afterAll(() => fx.close())

describe('failures reach the app through Hono error handling', () => {
  it("hands the app's onError an HTTPException whose cause is the core AuthError", async () => {
    const seen: unknown[] = []
    const app = new Hono()
      .use(m2mAuth(fx.options))
      .get('/', (c) => c.text('ok'))
      .onError((err, c) => {
        seen.push(err)
        return c.json({ intercepted: true }, 418)
      })
    const res = await app.request('/', bearer(UNKNOWN_TOKEN))
    expect(res.status).toBe(418)
    expect(await res.json()).toEqual({ intercepted: true })
    expect(seen).toHaveLength(1)
    const err = seen[0] as HTTPException
    expect(err).toBeInstanceOf(HTTPException)
    expect(err.status).toBe(401)
    expect(err.cause).toBeInstanceOf(InvalidTokenError)
  })

  it('lets onError pass the complete answer through with getResponse()', async () => {
    const app = new Hono()
      .use(m2mAuth({ ...fx.options, realm: 'billing' }))
      .get('/', (c) => c.text('ok'))
      .onError((err) => {
        if (err instanceof HTTPException) return err.getResponse()
        throw err
      })
    const res = await app.request('/')
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="billing"')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({ error: 'unauthorized', error_description: expect.any(String) })
  })

  it('lets onError log and re-render with its own body while keeping the challenge', async () => {
    const app = new Hono()
      .use(m2mAuth(fx.options))
      .get('/', (c) => c.text('ok'))
      .onError((err, c) => {
        const cause = err.cause
        if (err instanceof HTTPException && cause instanceof AuthError) {
          const challenge = err.getResponse().headers.get('www-authenticate')
          if (challenge) c.header('WWW-Authenticate', challenge)
          return c.json({ problem: cause.code }, err.status)
        }
        return c.text('boom', 500)
      })
    const res = await app.request('/')
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"')
    expect(await res.json()).toEqual({ problem: 'unauthorized' })
  })

  it("sends the complete answer through Hono's default error handler when the app has none", async () => {
    const app = new Hono().use(m2mAuth(fx.options)).get('/', (c) => c.text('ok'))
    const res = await app.request('/', { headers: { authorization: 'Basic Zm9vOmJhcg==' } })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"')
    expect(await res.json()).toMatchObject({ error: 'unauthorized' })
  })

  it('does not touch errors thrown by the route handler itself', async () => {
    const app = new Hono()
      .use(m2mAuth(fx.options))
      .get('/', () => {
        throw new MissingTokenError('thrown by the handler, not the middleware')
      })
      .onError((err, c) => c.text(err instanceof HTTPException ? 'wrapped' : 'untouched', 500))
    const res = await app.request('/', bearer(await fx.issue()))
    expect(await res.text()).toBe('untouched')
  })
})
