import { M2MConfigError, ServerConfigError } from '@m2m-auth/core'
import { Hono } from 'hono'
import type { HTTPException } from 'hono/http-exception'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { m2mAuth } from '../src/index.js'
import { bearer, type Fixture, startFixture } from './fixture.js'

const VARS = ['CLERK_MACHINE_SECRET_KEY', 'CLERK_SECRET_KEY', 'CLERK_API_URL'] as const
const saved = Object.fromEntries(VARS.map((name) => [name, process.env[name]]))

let fx: Fixture
beforeAll(async () => {
  fx = await startFixture()
})
afterAll(() => fx.close())
afterEach(() => {
  // Every test starts from an environment without our variables (a developer's own keys included).
  for (const name of VARS) delete process.env[name]
  vi.restoreAllMocks()
})
afterAll(() => {
  for (const name of VARS) if (saved[name] !== undefined) process.env[name] = saved[name]
})
for (const name of VARS) delete process.env[name]

const app = () => new Hono().use(m2mAuth()).get('/', (c) => c.json({ caller: c.var.m2m?.subject ?? null }))

describe('secret key and API URL from the environment', () => {
  it('reads CLERK_MACHINE_SECRET_KEY and CLERK_API_URL from the request bindings (c.env)', async () => {
    const env = { CLERK_MACHINE_SECRET_KEY: fx.receiver.secretKey, CLERK_API_URL: fx.emulator.url }
    const res = await app().request('/', bearer(await fx.issue()), env)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ caller: fx.sender.id })
  })

  it('falls back to CLERK_SECRET_KEY (the instance key) when there is no machine key', async () => {
    const env = {
      CLERK_SECRET_KEY: fx.emulator.secretKey,
      CLERK_API_URL: fx.emulator.url,
      CLERK_MACHINE_ID: fx.receiver.id, // the instance key needs to know who we are
    }
    expect((await app().request('/', bearer(await fx.issue()), env)).status).toBe(200)
  })

  it('prefers CLERK_MACHINE_SECRET_KEY over CLERK_SECRET_KEY', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const token = await fx.issue()
    const wrongMachineKey = {
      CLERK_MACHINE_SECRET_KEY: 'ak_unknown_to_the_emulator',
      CLERK_SECRET_KEY: fx.emulator.secretKey,
      CLERK_API_URL: fx.emulator.url,
    }
    // The (rejected) machine key is the one used: our own key refused upstream is a 500.
    expect((await app().request('/', bearer(token), wrongMachineKey)).status).toBe(500)
  })

  it("reads the runtime's environment (process.env on Node) when there are no bindings", async () => {
    process.env.CLERK_MACHINE_SECRET_KEY = fx.receiver.secretKey
    process.env.CLERK_API_URL = fx.emulator.url
    expect((await app().request('/', bearer(await fx.issue()))).status).toBe(200)
  })

  it("lets the request bindings win over the runtime's environment", async () => {
    process.env.CLERK_MACHINE_SECRET_KEY = 'ak_unknown_to_the_emulator'
    process.env.CLERK_API_URL = fx.emulator.url
    const env = { CLERK_MACHINE_SECRET_KEY: fx.receiver.secretKey }
    expect((await app().request('/', bearer(await fx.issue()), env)).status).toBe(200)
  })

  it('prefers options over every environment', async () => {
    const env = {
      CLERK_MACHINE_SECRET_KEY: 'ak_unknown_to_the_emulator',
      CLERK_API_URL: 'http://127.0.0.1:9',
    }
    const withOptions = new Hono().use(m2mAuth(fx.options)).get('/', (c) => c.text('ok'))
    expect((await withOptions.request('/', bearer(await fx.issue()), env)).status).toBe(200)
  })
})

describe('a missing secret key', () => {
  it('answers 500 server_error and logs once which option and variables to set', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const errors: unknown[] = []
    const misconfigured = app().onError((err) => {
      errors.push(err.cause)
      return (err as HTTPException).getResponse()
    })
    const first = await misconfigured.request('/', bearer(await fx.issue()))
    const second = await misconfigured.request('/', bearer(await fx.issue()))
    expect([first.status, second.status]).toEqual([500, 500])
    expect(await first.json()).toMatchObject({ error: 'server_error' })
    expect(log).toHaveBeenCalledTimes(1)
    expect(String(log.mock.calls[0]?.[0])).toMatch(/secretKey.*CLERK_MACHINE_SECRET_KEY.*CLERK_SECRET_KEY/)
    const cause = errors[0] as ServerConfigError
    expect(cause).toBeInstanceOf(ServerConfigError)
    expect(cause.cause).toBeInstanceOf(M2MConfigError)
    expect((cause.cause as M2MConfigError).option).toBe('secretKey')
  })

  it('throws at m2mAuth() time when the secretKey option is given but empty', () => {
    expect(() => m2mAuth({ secretKey: undefined })).toThrow(M2MConfigError)
    expect(() => m2mAuth({ secretKey: '' })).toThrow(/CLERK_MACHINE_SECRET_KEY/)
  })

  it('throws at m2mAuth() time for a bad option when the key is known then', () => {
    expect(() => m2mAuth({ ...fx.options, timeoutMs: -1 })).toThrow(
      expect.objectContaining({ option: 'timeoutMs' }),
    )
    expect(() => m2mAuth({ secretKey: 'not-a-clerk-key' })).toThrow(M2MConfigError)
  })

  it('throws at m2mAuth() time for bad middleware options', () => {
    expect(() => m2mAuth({ ...fx.options, scope: 42 as never })).toThrow(
      expect.objectContaining({ option: 'scope' }),
    )
    expect(() => m2mAuth({ ...fx.options, scopes: 'mch_x' } as never)).toThrow(
      expect.objectContaining({
        option: 'scopes',
        message: expect.stringContaining('did you mean `scope`?'),
      }),
    )
    expect(() => m2mAuth({ ...fx.options, optional: 'yes' as never })).toThrow(M2MConfigError)
    expect(() => m2mAuth({ ...fx.options, realm: 1 as never })).toThrow(M2MConfigError)
  })
})
