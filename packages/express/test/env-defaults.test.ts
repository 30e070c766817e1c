import { M2MConfigError } from '@m2m-auth/core'
import request from 'supertest'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { type M2MAuthOptions, m2mAuth } from '../src/index.js'
import { express5, type Fixture, loopbackFetch, startFixture } from './support.js'

let fx: Fixture

beforeAll(async () => {
  fx = await startFixture()
})

afterAll(async () => {
  await fx?.close()
})

afterEach(() => {
  vi.unstubAllEnvs()
})

/** Sets all three variables, so that the machine's own environment never leaks into a test. */
function env(vars: { machineKey?: string; secretKey?: string; apiUrl?: string }) {
  vi.stubEnv('CLERK_MACHINE_SECRET_KEY', vars.machineKey ?? '')
  vi.stubEnv('CLERK_SECRET_KEY', vars.secretKey ?? '')
  vi.stubEnv('CLERK_API_URL', vars.apiUrl ?? '')
}

// Only loopback is reachable: a key or URL that did not come from where we expect shows as 401/500/503.
async function statusWith(options: M2MAuthOptions): Promise<number> {
  const app = express5()
  app.get('/', m2mAuth({ fetch: loopbackFetch, retry: false, ...options }), (_req, res) => {
    res.sendStatus(204)
  })
  return (
    await request(app)
      .get('/')
      .set('Authorization', await fx.bearer())
  ).status
}

describe('m2mAuth() environment defaults', () => {
  it('prefers CLERK_MACHINE_SECRET_KEY over CLERK_SECRET_KEY', async () => {
    env({
      machineKey: fx.api.secretKey,
      secretKey: 'sk_test_rejectedbytheemulator000000000000',
      apiUrl: fx.emulator.url,
    })
    expect(await statusWith({})).toBe(204)
  })

  it('falls back to CLERK_SECRET_KEY when CLERK_MACHINE_SECRET_KEY is unset', async () => {
    env({ secretKey: fx.emulator.secretKey, apiUrl: fx.emulator.url })
    expect(await statusWith({ machineId: fx.api.id })).toBe(204)
  })

  it('takes the token service URL from CLERK_API_URL', async () => {
    env({ machineKey: fx.api.secretKey })
    // Without CLERK_API_URL the verifier aims at Clerk, which the loopback-only fetch refuses.
    expect(await statusWith({})).toBe(503)
    env({ machineKey: fx.api.secretKey, apiUrl: fx.emulator.url })
    expect(await statusWith({})).toBe(204)
  })

  it('lets explicit options win over the environment', async () => {
    env({ machineKey: 'ak_rejectedbytheemulator00000000', apiUrl: 'http://127.0.0.1:9/' })
    expect(await statusWith({ secretKey: fx.api.secretKey, apiUrl: fx.emulator.url })).toBe(204)
  })

  it('throws at registration without a key, naming the option and both variables', () => {
    env({ apiUrl: fx.emulator.url })
    let thrown: unknown
    try {
      m2mAuth()
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(M2MConfigError)
    expect(thrown).toMatchObject({ option: 'secretKey' })
    const message = (thrown as Error).message
    for (const name of ['secretKey', 'CLERK_MACHINE_SECRET_KEY', 'CLERK_SECRET_KEY']) {
      expect(message).toContain(name)
    }
  })
})
