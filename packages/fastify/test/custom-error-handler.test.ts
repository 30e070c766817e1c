import { MissingTokenError, toErrorResponse } from '@m2m-auth/core'
import type { FastifyError } from 'fastify'
import { describe, expect, it } from 'vitest'
import { FastifyM2MError, m2mAuth } from '../src/index.js'
import { bearer, errorAnswer, mintToken, newApp, transports, useScenario } from './fixtures.js'

const scenario = useScenario()

/** An app with its own error handler that records what it receives and answers in its own format. */
async function appWithHandler(options: Record<string, unknown> = {}) {
  const app = newApp()
  const seen: unknown[] = []
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    seen.push(error)
    reply.code(error.statusCode ?? 500).send({ custom: true, code: error.code })
  })
  await app.register(m2mAuth, { ...scenario.options, errorHandling: 'throw', ...options })
  app.get('/orders', async () => ({}))
  return { app, seen }
}

describe.each(transports)('an application error handler (%s)', (_name, send) => {
  it('receives a FastifyM2MError carrying code, statusCode, headers, body and the core cause', async () => {
    const { app, seen } = await appWithHandler()
    const answer = await send(app, { url: '/orders' })
    expect(answer.status).toBe(401)
    expect(answer.json).toEqual({ custom: true, code: 'FST_M2M_UNAUTHORIZED' })
    expect(seen).toHaveLength(1)
    const error = seen[0] as FastifyM2MError
    expect(error).toBeInstanceOf(FastifyM2MError)
    expect(error.cause).toBeInstanceOf(MissingTokenError)
    const expected = toErrorResponse(error.cause, { realm: 'api' })
    expect(error.statusCode).toBe(401)
    expect(error.headers).toEqual(expected.headers)
    expect(error.body).toEqual(expected.body)
  })

  it.each([
    ['FST_M2M_INVALID_REQUEST', 400, { authorization: 'Bearer a b' }],
    ['FST_M2M_INVALID_TOKEN', 401, bearer(`mt_${'c'.repeat(32)}`)],
  ])('gets code %s (status %i)', async (code, status, headers) => {
    const { app, seen } = await appWithHandler()
    const answer = await send(app, { url: '/orders', headers })
    expect(answer.status).toBe(status)
    expect((seen[0] as FastifyM2MError).code).toBe(code)
  })

  it('gets FST_M2M_INSUFFICIENT_SCOPE with the required scopes in its challenge header', async () => {
    const other = scenario.emulator.createMachine({ name: `x-${Math.random()}` })
    const { app, seen } = await appWithHandler({ scope: other.id })
    const { token } = await mintToken(scenario.emulator, scenario.caller)
    expect((await send(app, { url: '/orders', headers: bearer(token) })).status).toBe(403)
    const error = seen[0] as FastifyM2MError
    expect(error.code).toBe('FST_M2M_INSUFFICIENT_SCOPE')
    expect(error.headers['www-authenticate']).toContain(`scope="${other.id}"`)
  })

  it('that passes the error on gets Fastify to send its status and RFC 6750 headers', async () => {
    const app = newApp()
    app.setErrorHandler((error, _request, reply) => {
      reply.send(error)
    })
    await app.register(m2mAuth, { ...scenario.options, errorHandling: 'throw' })
    app.get('/orders', async () => ({}))
    const answer = await send(app, { url: '/orders', headers: bearer(`mt_${'b'.repeat(32)}`) })
    expect(answer.status).toBe(401)
    expect(answer.headers['www-authenticate']).toContain('error="invalid_token"')
    expect(answer.headers['cache-control']).toBe('no-store')
    expect(answer.json).toMatchObject({ code: 'FST_M2M_INVALID_TOKEN', statusCode: 401 })
  })

  it('with the default errorHandling, answers itself even when the app has an error handler', async () => {
    const { app, seen } = await appWithHandler({ errorHandling: 'respond' })
    errorAnswer(await send(app, { url: '/orders' }), 'unauthorized')
    expect(seen).toEqual([])
  })

  it("is chosen per registration: a child context's plugin throws, another one answers", async () => {
    const app = newApp()
    const seen: unknown[] = []
    await app.register(async (other) => {
      await other.register(m2mAuth, scenario.options)
      other.get('/orders', async () => ({}))
    })
    await app.register(async (child) => {
      child.setErrorHandler((error, _request, reply) => {
        seen.push(error)
        reply.code(418).send({ teapot: true })
      })
      await child.register(m2mAuth, { ...scenario.options, errorHandling: 'throw' })
      child.get('/tea', async () => ({}))
    })
    expect((await send(app, { url: '/tea' })).status).toBe(418)
    expect(seen).toHaveLength(1)
    errorAnswer(await send(app, { url: '/orders' }), 'unauthorized')
    expect(seen).toHaveLength(1)
  })
})
