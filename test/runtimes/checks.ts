/**
 * The checks every runtime of the matrix must pass with the `examples/hono` app, against a real
 * emulator running in this (Node) process: the runtime under test reaches it over loopback.
 */
import { createM2MClient } from '@m2m-auth/core'
import { type Emulator, type EmulatorMachine, startEmulator } from '@m2m-auth/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt } from './process.js'

/** How a suite talks to the app under test: a path in, a Web `Response` out. */
export interface RuntimeTarget {
  fetch(path: string, init?: RequestInit): Promise<Response>
  /** Releases whatever runs the app (a child process, a Miniflare instance). */
  stop(): Promise<void>
}

/** What a runtime needs to start the app: its Clerk environment (variables or Worker bindings). */
export interface RuntimeConfig {
  env: Record<string, string>
}

/** What a runtime's extra checks can reach. */
export interface Fixture {
  emulator: Emulator
  sender: EmulatorMachine
  /** A machine the sender's tokens are not scoped to: the example's admin route requires it. */
  ledger: EmulatorMachine
  target: RuntimeTarget
}

/**
 * Registers the matrix checks for one runtime. `start` launches the app with the given Clerk
 * environment; the suite is skipped (after a warning printed by whoever found the binary absent)
 * when `available` is false.
 */
export function describeRuntime(
  name: string,
  runtimeKey: string,
  available: boolean,
  start: (config: RuntimeConfig) => Promise<RuntimeTarget>,
  extraChecks?: (fixture: () => Fixture, issue: (format?: 'opaque' | 'jwt') => Promise<string>) => void,
): void {
  describe.skipIf(!available)(`examples/hono on ${name}`, () => {
    let fixture: Fixture

    beforeAll(async () => {
      assertBuilt(['core', 'hono'])
      const emulator = await startEmulator({ port: 0 })
      const [sender, receiver] = emulator.machines as [EmulatorMachine, EmulatorMachine]
      const ledger = emulator.createMachine({ name: 'ledger-service' })
      // The instance key: it verifies opaque tokens and fetches the JWKS for JWT-format ones, so
      // each runtime's WebCrypto RSA verification is exercised too.
      const env = {
        CLERK_SECRET_KEY: emulator.secretKey,
        CLERK_API_URL: emulator.url,
        // With the instance key, the API must know which machine it is (sender's tokens name it).
        CLERK_MACHINE_ID: receiver.id,
        ADMIN_SCOPE: ledger.id,
      }
      try {
        fixture = { emulator, sender, ledger, target: await start({ env }) }
      } catch (error) {
        await emulator.close()
        throw error
      }
    })

    afterAll(async () => {
      await fixture?.target.stop()
      await fixture?.emulator.close()
    })

    const issue = (tokenFormat: 'opaque' | 'jwt' = 'opaque') =>
      createM2MClient({ secretKey: fixture.sender.secretKey, apiUrl: fixture.emulator.url })
        .createToken({ tokenFormat })
        .then((created) => created.token!)

    it(`runs the app on ${runtimeKey}, public health route included`, async () => {
      const res = await fixture.target.fetch('/health')
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ status: 'ok', runtime: runtimeKey })
    })

    it('answers a valid opaque token with 200 and the calling machine', async () => {
      const res = await fixture.target.fetch('/orders', { headers: bearer(await issue()) })
      expect(res.status).toBe(200)
      const body = (await res.json()) as { caller: string }
      expect(body.caller).toBe(fixture.sender.id)
    })

    it('verifies a JWT-format token locally with the JWKS and answers 200', async () => {
      const res = await fixture.target.fetch('/orders', { headers: bearer(await issue('jwt')) })
      expect(res.status).toBe(200)
      expect(((await res.json()) as { caller: string }).caller).toBe(fixture.sender.id)
    })

    it('answers 403 insufficient_scope on the scope-restricted route', async () => {
      const res = await fixture.target.fetch('/admin/reports', { headers: bearer(await issue()) })
      expect(res.status).toBe(403)
      expect(res.headers.get('www-authenticate')).toContain(`scope="${fixture.ledger.id}"`)
    })

    it('answers a request without credentials with 401 and a bare Bearer challenge', async () => {
      const res = await fixture.target.fetch('/orders')
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]*"$/)
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(await res.json()).toMatchObject({ error: 'unauthorized' })
    })

    it('answers an unknown token with 401 invalid_token', async () => {
      const res = await fixture.target.fetch('/orders', { headers: bearer(`mt_${'0'.repeat(32)}`) })
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"')
      expect(await res.json()).toMatchObject({ error: 'invalid_token' })
    })

    it('answers 503 with Retry-After while the token service fails, and recovers', async () => {
      const token = await issue()
      fixture.emulator.setFaults({ errorRate: 1, errorStatus: 503, routes: ['verify'] })
      try {
        const res = await fixture.target.fetch('/orders', { headers: bearer(token) })
        expect(res.status).toBe(503)
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
        expect(await res.json()).toMatchObject({ error: 'temporarily_unavailable' })
      } finally {
        fixture.emulator.setFaults({})
      }
      const after = await fixture.target.fetch('/orders', { headers: bearer(token) })
      expect(after.status).toBe(200)
    })

    extraChecks?.(() => fixture, issue)
  })
}

/** `Authorization: Bearer <token>`. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` }
}
