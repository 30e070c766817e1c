import { M2MConfigError } from '@m2m-auth/core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { m2mAuth } from '../src/index.js'
import { bearer, closeAll, mintToken, newApp, type Scenario, startScenario, viaInject } from './fixtures.js'

let scenario: Scenario
let token: string
beforeAll(async () => {
  scenario = await startScenario()
  token = (await mintToken(scenario.emulator, scenario.caller)).token
})
afterAll(() => scenario.emulator.close())
beforeEach(() => {
  // Start every case from an environment without any Clerk variable.
  for (const name of ['CLERK_MACHINE_SECRET_KEY', 'CLERK_SECRET_KEY', 'CLERK_API_URL']) {
    vi.stubEnv(name, undefined)
  }
})
afterEach(async () => {
  vi.unstubAllEnvs()
  await closeAll()
})

async function appFromEnv() {
  const app = newApp()
  await app.register(m2mAuth)
  app.get('/orders', async (request) => ({ caller: request.m2m?.subject }))
  return app
}

describe('environment defaults', () => {
  it('reads CLERK_MACHINE_SECRET_KEY and CLERK_API_URL when the options leave them out', async () => {
    vi.stubEnv('CLERK_MACHINE_SECRET_KEY', scenario.api.secretKey)
    vi.stubEnv('CLERK_API_URL', scenario.emulator.url)
    const answer = await viaInject(await appFromEnv(), { url: '/orders', headers: bearer(token) })
    expect(answer.json).toEqual({ caller: scenario.caller.id })
  })

  it('falls back to CLERK_SECRET_KEY (the instance key)', async () => {
    vi.stubEnv('CLERK_SECRET_KEY', scenario.emulator.secretKey)
    vi.stubEnv('CLERK_API_URL', scenario.emulator.url)
    vi.stubEnv('CLERK_MACHINE_ID', scenario.api.id) // the instance key needs to know who we are
    const answer = await viaInject(await appFromEnv(), { url: '/orders', headers: bearer(token) })
    expect(answer.status).toBe(200)
  })

  it('prefers CLERK_MACHINE_SECRET_KEY over CLERK_SECRET_KEY', async () => {
    vi.stubEnv('CLERK_MACHINE_SECRET_KEY', scenario.api.secretKey)
    vi.stubEnv('CLERK_SECRET_KEY', `sk_test_${'0'.repeat(40)}`)
    vi.stubEnv('CLERK_API_URL', scenario.emulator.url)
    const answer = await viaInject(await appFromEnv(), { url: '/orders', headers: bearer(token) })
    expect(answer.status).toBe(200)
  })

  it('lets options win over the environment', async () => {
    vi.stubEnv('CLERK_MACHINE_SECRET_KEY', `ak_${'0'.repeat(32)}`)
    vi.stubEnv('CLERK_API_URL', 'http://127.0.0.1:9')
    const app = newApp()
    await app.register(m2mAuth, scenario.options)
    app.get('/orders', async () => ({}))
    expect((await viaInject(app, { url: '/orders', headers: bearer(token) })).status).toBe(200)
  })
})

describe('startup errors', () => {
  it('await app.register() rejects naming the secretKey option and both variables', async () => {
    const app = newApp()
    const error = await app.register(m2mAuth).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(M2MConfigError)
    expect((error as M2MConfigError).option).toBe('secretKey')
    expect((error as Error).message).toMatch(/secretKey/)
    expect((error as Error).message).toMatch(/CLERK_MACHINE_SECRET_KEY/)
    expect((error as Error).message).toMatch(/CLERK_SECRET_KEY/)
  })

  it('app.ready() rejects when the plugin was registered without awaiting', async () => {
    const app = newApp()
    app.register(m2mAuth)
    app.get('/orders', async () => ({}))
    await expect(app.ready()).rejects.toThrow(/CLERK_MACHINE_SECRET_KEY/)
  })

  it('rejects an invalid option at registration, never per request', async () => {
    const app = newApp()
    await expect(app.register(m2mAuth, { ...scenario.options, timeoutMs: -1 })).rejects.toThrow(/timeoutMs/)
  })

  it('rejects a scope that is not a machine id string', async () => {
    const app = newApp()
    const scope = [42] as unknown as string[]
    await expect(app.register(m2mAuth, { ...scenario.options, scope })).rejects.toThrow(/scope/)
  })

  it('refuses a second registration in the same context (one verifier per context)', async () => {
    const app = newApp()
    await app.register(m2mAuth, scenario.options)
    await expect(app.register(m2mAuth, scenario.options)).rejects.toThrow(/m2mAuth/)
  })

  it('never puts the secret key into the error message', async () => {
    const app = newApp()
    const badKey = 'not-a-clerk-key-1234567890'
    const error = await app.register(m2mAuth, { secretKey: badKey }).then(
      () => undefined,
      (e: unknown) => e as Error,
    )
    expect(error?.message).toMatch(/secretKey/)
    expect(error?.message).not.toContain(badKey)
  })
})
