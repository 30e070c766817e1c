/**
 * Two verifiers with separate Redis connections, as two processes of one API would have, against
 * the emulator and a real redis-server: what one verified the other serves from Redis, entries
 * expire with `ttlMs`, Redis holds HMAC keys and sealed values only, and invalidation and
 * revocation reach Redis and the other verifier.
 */
import { createHash } from 'node:crypto'
import { InvalidTokenError } from '@m2m-auth/core'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { type Fixture, useFixture } from './fixture.js'
import { skipRedis } from './redis-server.js'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

describe.skipIf(skipRedis)('a Redis store shared by two verifiers', () => {
  const fixture = useFixture()
  let fx: Fixture
  beforeEach(() => {
    fx = fixture()
  })

  it('lets the second verifier answer from Redis without calling the token service', async () => {
    const [a, b] = [await fx.verifier(), await fx.verifier()]
    const { token, id } = await fx.token()
    await a.verify(token)
    const before = fx.verifyCalls()
    await expect(b.verify(token)).resolves.toMatchObject({ id, subject: fx.caller.id, format: 'opaque' })
    expect(fx.verifyCalls() - before).toBe(0)
    expect(b.stats()).toMatchObject({ hits: 1, misses: 0, upstreamCalls: 0 })
  })

  it('writes each entry with PX = ttlMs, so Redis expires it and the next verification goes upstream', async () => {
    const [a, b] = [
      await fx.verifier({ cache: { ttlMs: 300 } }),
      await fx.verifier({ cache: { ttlMs: 300 } }),
    ]
    const { token } = await fx.token()
    await a.verify(token)
    await vi.waitFor(async () => expect((await fx.entries()).size).toBe(1)) // written in the background
    const [key] = [...(await fx.entries()).keys()] as [string]
    const pttl = await fx.admin.pTTL(key)
    expect(pttl).toBeGreaterThan(0)
    expect(pttl).toBeLessThanOrEqual(300)
    for (let i = 0; i < 100 && (await fx.admin.exists(key)) === 1; i++) await sleep(20)
    expect(await fx.admin.exists(key)).toBe(0)
    const before = fx.verifyCalls()
    await b.verify(token)
    expect(fx.verifyCalls() - before).toBe(1)
  })

  it('keeps only HMAC keys and sealed values in Redis: none holds the token or a secret key', async () => {
    const verifiers = [
      await fx.verifier(),
      await fx.verifier({ secretKey: fx.emulator.secretKey, machineId: fx.api.id }),
    ]
    // Both listening first: a subscription coming up drops what its verifier has in flight, which
    // would then not be written (a fleet in steady state, as in coordinates-a-fleet.test.ts).
    await vi.waitFor(async () => expect(await fx.subscribers()).toBe(2), { timeout: 5000 })
    const { token } = await fx.token()
    for (const verifier of verifiers) await verifier.verify(token)
    // The writes are off the answers' path (background): on a loaded machine they may take a while.
    await vi.waitFor(async () => expect((await fx.entries()).size).toBe(2), { timeout: 5000 })
    const entries = await fx.entries()
    const secrets = [token, fx.api.secretKey, fx.caller.secretKey, fx.emulator.secretKey]
    for (const [key, value] of entries) {
      expect(key).toMatch(/^m2m:v2:[0-9a-f]{32}:[0-9a-f]{64}$/)
      expect(key.endsWith(`:${sha256(token)}`)).toBe(false) // an HMAC under the secret, not a bare hash
      for (const secret of secrets) {
        expect(key.includes(secret)).toBe(false)
        expect(value.includes(secret)).toBe(false)
      }
      const sealed = JSON.parse(value)
      expect(sealed).toMatchObject({ v: 2, mac: expect.stringMatching(/^[0-9a-f]{64}$/) })
      expect(JSON.parse(sealed.body)).toMatchObject({ token: { subject: fx.caller.id } })
    }
  })

  it('invalidate() deletes the entry from Redis, so the other verifier asks upstream again', async () => {
    const [a, b] = [await fx.verifier(), await fx.verifier()]
    const { token } = await fx.token()
    await a.verify(token)
    await vi.waitFor(async () => expect((await fx.entries()).size).toBe(1))
    await a.invalidate(token)
    expect((await fx.entries()).size).toBe(0)
    const before = fx.verifyCalls()
    await b.verify(token)
    expect(fx.verifyCalls() - before).toBe(1)
  })

  it('revokeToken() in one verifier makes the other refuse the token too, through pub/sub', async () => {
    // Revoking needs the issuing machine's key or the instance key: both verifiers use sk_ + machineId.
    const options = { secretKey: fx.emulator.secretKey, machineId: fx.api.id, cache: { ttlMs: 60_000 } }
    const [a, b] = [await fx.verifier(options), await fx.verifier(options)]
    const { token, id } = await fx.token()
    await a.verify(token)
    await b.verify(token)
    await a.revokeToken({ m2mTokenId: id })
    await expect(a.verify(token)).rejects.toBeInstanceOf(InvalidTokenError)
    // Within a minute-long ttlMs, B hears of it at once and asks the token service again.
    await vi.waitFor(() => expect(b.stats().size).toBe(0), { timeout: 1000, interval: 5 })
    await expect(b.verify(token)).rejects.toBeInstanceOf(InvalidTokenError)
  })

  it('without broadcast, revocation elsewhere takes effect within ttlMs (as without Redis)', async () => {
    const options = { secretKey: fx.emulator.secretKey, machineId: fx.api.id, cache: { ttlMs: 400 } }
    const [a, b] = [
      await fx.verifier(options, { broadcast: false }),
      await fx.verifier(options, { broadcast: false }),
    ]
    const { token, id } = await fx.token()
    await a.verify(token)
    await b.verify(token)
    await a.revokeToken({ m2mTokenId: id })
    await expect(b.verify(token)).resolves.toMatchObject({ id }) // B's memory tier, until ttlMs
    await sleep(450)
    await expect(b.verify(token)).rejects.toBeInstanceOf(InvalidTokenError)
  })

  it.each([
    ['another secret key', (f: Fixture) => ({ secretKey: f.api.secretKey, machineId: f.api.id })],
    // No machine id at all (the anyMachine opt-out): a scope of its own in the store.
    ['another machine id', (f: Fixture) => ({ secretKey: f.emulator.secretKey, anyMachine: true })],
  ])('keeps verifiers with %s apart', async (_name, otherOptions) => {
    const a = await fx.verifier({ secretKey: fx.emulator.secretKey, machineId: fx.api.id })
    const b = await fx.verifier(otherOptions(fx))
    const { token } = await fx.token()
    await a.verify(token)
    const before = fx.verifyCalls()
    await b.verify(token)
    expect(fx.verifyCalls() - before).toBe(1)
    expect(b.stats()).toMatchObject({ hits: 0, upstreamCalls: 1 })
    await vi.waitFor(async () => expect((await fx.entries()).size).toBe(2))
    const scopes = [...(await fx.entries()).keys()].map((key) => key.split(':')[2])
    expect(new Set(scopes).size).toBe(2)
  })
})

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
