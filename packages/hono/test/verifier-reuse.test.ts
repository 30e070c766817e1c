import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { m2mAuth } from '../src/index.js'
import { bearer, type Fixture, startFixture, UNKNOWN_TOKEN } from './fixture.js'

let fx: Fixture
beforeAll(async () => {
  fx = await startFixture()
})
afterAll(() => fx.close())

/** Upstream verify calls made while `run` runs, as counted by the emulator. */
async function verifyCalls(run: () => unknown): Promise<number> {
  const before = fx.emulator.stats().verify
  await run()
  return fx.emulator.stats().verify - before
}

describe('one verifier per configuration, reused across requests', () => {
  it('answers a repeated token from the cache: one upstream call for two requests', async () => {
    const app = new Hono().use(m2mAuth(fx.options)).get('/', (c) => c.text('ok'))
    const token = await fx.issue()
    expect(await verifyCalls(() => app.request('/', bearer(token)))).toBe(1)
    expect(await verifyCalls(() => app.request('/', bearer(token)))).toBe(0)
  })

  it('keeps the verifier built from request bindings for the next requests', async () => {
    const app = new Hono().use(m2mAuth()).get('/', (c) => c.text('ok'))
    const token = await fx.issue()
    const env = { CLERK_MACHINE_SECRET_KEY: fx.receiver.secretKey, CLERK_API_URL: fx.emulator.url }
    expect(await verifyCalls(() => app.request('/', bearer(token), { ...env }))).toBe(1)
    expect(await verifyCalls(() => app.request('/', bearer(token), { ...env }))).toBe(0)
  })

  it('builds a separate verifier, with its own cache, for each distinct key', async () => {
    const app = new Hono().use(m2mAuth()).get('/', (c) => c.text('ok'))
    const token = await fx.issue()
    const machineKey = { CLERK_MACHINE_SECRET_KEY: fx.receiver.secretKey, CLERK_API_URL: fx.emulator.url }
    const instanceKey = {
      CLERK_SECRET_KEY: fx.emulator.secretKey,
      CLERK_API_URL: fx.emulator.url,
      CLERK_MACHINE_ID: fx.receiver.id,
    }
    expect(await verifyCalls(() => app.request('/', bearer(token), machineKey))).toBe(1)
    expect(await verifyCalls(() => app.request('/', bearer(token), instanceKey))).toBe(1)
    expect(await verifyCalls(() => app.request('/', bearer(token), machineKey))).toBe(0)
    expect(await verifyCalls(() => app.request('/', bearer(token), instanceKey))).toBe(0)
  })

  it('keeps at most 16 configurations, dropping the oldest first', async () => {
    // A long negative TTL, so that only eviction (never expiry) can cause a second upstream call.
    const app = new Hono().use(m2mAuth({ cache: { negativeTtlMs: 600_000 } })).get('/', (c) => c.text('ok'))
    const keys = Array.from(
      { length: 17 },
      (_, i) => fx.emulator.createMachine({ name: `svc-${i}` }).secretKey,
    )
    const envOf = (key: string) => ({ CLERK_MACHINE_SECRET_KEY: key, CLERK_API_URL: fx.emulator.url })
    // An unknown token: each verifier asks upstream once, then remembers the "no" in its own cache.
    const ask = (key: string) => verifyCalls(() => app.request('/', bearer(UNKNOWN_TOKEN), envOf(key)))
    for (const key of keys.slice(0, 16)) expect(await ask(key)).toBe(1)
    expect(await ask(keys[0]!)).toBe(0)
    expect(await ask(keys[16]!)).toBe(1) // the 17th evicts the oldest inserted: keys[0]
    expect(await ask(keys[1]!)).toBe(0)
    expect(await ask(keys[0]!)).toBe(1)
  })
})
