import type { VerifiedM2MToken } from '@m2m-auth/core'
import { describe, expect, it } from 'vitest'
import { m2mAuth } from '../src/index.js'
import { bearer, mintToken, newApp, transports, useScenario } from './fixtures.js'

const scenario = useScenario()

async function echoApp(options: Record<string, unknown>) {
  const app = newApp()
  await app.register(m2mAuth, options)
  app.get('/whoami', async (request) => request.m2m)
  return app
}

describe.each(transports)('a request with a valid token (%s)', (_name, send) => {
  it('reaches the handler with request.m2m describing the calling machine', async () => {
    const app = await echoApp({ ...scenario.options, scope: scenario.api.id })
    const created = await mintToken(scenario.emulator, scenario.caller, { claims: { tenant: 't1' } })
    const answer = await send(app, { url: '/whoami', headers: bearer(created.token) })
    expect(answer.status).toBe(200)
    const m2m = answer.json as VerifiedM2MToken
    expect(m2m).toMatchObject({
      tokenType: 'm2m_token',
      format: 'opaque',
      id: created.id,
      subject: scenario.caller.id,
      machineId: scenario.caller.id,
      claims: { tenant: 't1' },
    })
    expect(m2m.scopes).toContain(scenario.api.id)
    expect(answer.body).not.toContain(created.token)
  })

  it('accepts a JWT-format token verified with the instance key', async () => {
    const app = await echoApp({
      secretKey: scenario.emulator.secretKey,
      apiUrl: scenario.emulator.url,
      machineId: scenario.api.id,
      scope: scenario.api.id,
    })
    const created = await mintToken(scenario.emulator, scenario.caller, { tokenFormat: 'jwt' })
    const answer = await send(app, { url: '/whoami', headers: bearer(created.token) })
    expect(answer.status).toBe(200)
    expect(answer.json).toMatchObject({ format: 'jwt', subject: scenario.caller.id })
  })

  it('accepts the scheme name in any case', async () => {
    const app = await echoApp(scenario.options)
    const { token } = await mintToken(scenario.emulator, scenario.caller)
    const answer = await send(app, { url: '/whoami', headers: { authorization: `bEaReR ${token}` } })
    expect(answer.status).toBe(200)
  })

  it('verifies a token once for many requests (the verifier is built once, at registration)', async () => {
    const app = await echoApp(scenario.options)
    const { token } = await mintToken(scenario.emulator, scenario.caller)
    const before = scenario.emulator.stats().verify
    for (let i = 0; i < 5; i++) {
      expect((await send(app, { url: '/whoami', headers: bearer(token) })).status).toBe(200)
    }
    expect(scenario.emulator.stats().verify - before).toBe(1)
  })
})
