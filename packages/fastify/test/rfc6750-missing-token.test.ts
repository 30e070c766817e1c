import { MissingTokenError, toErrorResponse } from '@m2m-auth/core'
import { describe, expect, it } from 'vitest'
import { m2mAuth } from '../src/index.js'
import { errorAnswer, newApp, transports, useScenario } from './fixtures.js'

const scenario = useScenario()

async function protectedApp(options: { realm?: string } = {}) {
  const app = newApp()
  const calls = { handler: 0 }
  await app.register(m2mAuth, { ...scenario.options, ...options })
  app.get('/orders', async () => {
    calls.handler++
    return { orders: [] }
  })
  return { app, calls }
}

describe.each(transports)('RFC 6750 3.1: a request without credentials (%s)', (_name, send) => {
  it('is answered 401 with a bare Bearer challenge and error "unauthorized", before the handler', async () => {
    const { app, calls } = await protectedApp()
    const answer = await send(app, { url: '/orders' })
    expect(errorAnswer(answer, 'unauthorized')).toBe('Bearer realm="api"')
    expect(calls.handler).toBe(0)
  })

  it('treats another authentication scheme (Basic) as no bearer credentials', async () => {
    const { app } = await protectedApp()
    const answer = await send(app, { url: '/orders', headers: { authorization: 'Basic dXNlcjpwYXNz' } })
    errorAnswer(answer, 'unauthorized')
  })

  it('treats an empty Authorization header as no credentials', async () => {
    const { app } = await protectedApp()
    const answer = await send(app, { url: '/orders', headers: { authorization: '' } })
    errorAnswer(answer, 'unauthorized')
  })

  it('names the configured realm in the challenge', async () => {
    const { app } = await protectedApp({ realm: 'orders' })
    const answer = await send(app, { url: '/orders' })
    expect(errorAnswer(answer, 'unauthorized', 'orders')).toBe('Bearer realm="orders"')
  })

  it("sends exactly core's toErrorResponse() rendering (status, headers, body)", async () => {
    const { app } = await protectedApp()
    const answer = await send(app, { url: '/orders' })
    const expected = toErrorResponse(new MissingTokenError(), { realm: 'api' })
    expect(answer.status).toBe(expected.status)
    expect(answer.headers).toMatchObject(expected.headers)
    expect(answer.body).toBe(JSON.stringify(expected.body))
  })

  it('costs no call to the token service', async () => {
    const { app } = await protectedApp()
    const before = scenario.emulator.stats().verify
    await send(app, { url: '/orders' })
    expect(scenario.emulator.stats().verify).toBe(before)
  })
})
