import { describe, expect, it } from 'vitest'
import { m2mAuth } from '../src/index.js'
import { bearer, errorAnswer, mintToken, newApp, transports, useScenario } from './fixtures.js'

const scenario = useScenario()

async function optionalApp() {
  const app = newApp()
  await app.register(m2mAuth, { ...scenario.options, optional: true })
  app.get('/catalog', async (request) => ({ caller: request.m2m?.subject ?? null }))
  app.get('/orders', { config: { m2m: { optional: false } } }, async () => ({}))
  return app
}

describe.each(transports)('optional mode (%s)', (_name, send) => {
  it('lets a request without Authorization through with request.m2m === null', async () => {
    const answer = await send(await optionalApp(), { url: '/catalog' })
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual({ caller: null })
  })

  it('still verifies a token that is present', async () => {
    const { token } = await mintToken(scenario.emulator, scenario.caller)
    const answer = await send(await optionalApp(), { url: '/catalog', headers: bearer(token) })
    expect(answer.json).toEqual({ caller: scenario.caller.id })
  })

  it('still refuses a bad token (401) and a malformed header (400)', async () => {
    const app = await optionalApp()
    errorAnswer(
      await send(app, { url: '/catalog', headers: bearer(`mt_${'d'.repeat(32)}`) }),
      'invalid_token',
    )
    errorAnswer(
      await send(app, { url: '/catalog', headers: { authorization: 'Bearer a b' } }),
      'invalid_request',
    )
  })

  it('a route can require a token again with config.m2m.optional = false', async () => {
    errorAnswer(await send(await optionalApp(), { url: '/orders' }), 'unauthorized')
  })
})
