import { describe, expect, it } from 'vitest'
import { m2mAuth } from '../src/index.js'
import { bearer, errorAnswer, mintToken, newApp, transports, useScenario } from './fixtures.js'

const scenario = useScenario()

/** An app whose JSON body parser and handler count their calls. */
async function countingApp(register: (app: ReturnType<typeof newApp>) => Promise<void>) {
  const app = newApp()
  const calls = { parser: 0, handler: 0 }
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    calls.parser++
    done(null, JSON.parse(String(body)))
  })
  await register(app)
  return { app, calls }
}

const order = JSON.stringify({ item: 'widget', quantity: 3, note: 'x'.repeat(10_000) })
const json = { 'content-type': 'application/json' }

describe.each(transports)('authentication runs in onRequest, before the body (%s)', (_name, send) => {
  it('refuses a POST without a token before its body is parsed or the handler runs', async () => {
    const { app, calls } = await countingApp(async (app) => {
      await app.register(m2mAuth, scenario.options)
      app.post('/orders', async () => {
        calls.handler++
        return { created: true }
      })
    })
    const answer = await send(app, { method: 'POST', url: '/orders', headers: json, payload: order })
    errorAnswer(answer, 'unauthorized')
    expect(calls).toEqual({ parser: 0, handler: 0 })
  })

  it('refuses a POST with a bad token before its body is parsed', async () => {
    const { app, calls } = await countingApp(async (app) => {
      await app.register(m2mAuth, scenario.options)
      app.post('/orders', async () => ({ created: true }))
    })
    const headers = { ...json, ...bearer(`mt_${'f'.repeat(32)}`) }
    errorAnswer(await send(app, { method: 'POST', url: '/orders', headers, payload: order }), 'invalid_token')
    expect(calls.parser).toBe(0)
  })

  it('parses the body once the token is accepted', async () => {
    const { app, calls } = await countingApp(async (app) => {
      await app.register(m2mAuth, scenario.options)
      app.post('/orders', async (request) => ({ quantity: (request.body as { quantity: number }).quantity }))
    })
    const { token } = await mintToken(scenario.emulator, scenario.caller)
    const headers = { ...json, ...bearer(token) }
    const answer = await send(app, { method: 'POST', url: '/orders', headers, payload: order })
    expect(answer.json).toEqual({ quantity: 3 })
    expect(calls.parser).toBe(1)
  })

  it('with the require() decorator used as onRequest, also refuses before the body', async () => {
    const { app, calls } = await countingApp(async (app) => {
      await app.register(m2mAuth, { ...scenario.options, global: false })
      app.post('/orders', { onRequest: app.m2mAuth.require() }, async () => ({ created: true }))
    })
    errorAnswer(
      await send(app, { method: 'POST', url: '/orders', headers: json, payload: order }),
      'unauthorized',
    )
    expect(calls.parser).toBe(0)
  })
})
