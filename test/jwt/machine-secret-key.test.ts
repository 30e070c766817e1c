/**
 * A Machine Secret Key (`ak_`) cannot fetch the JWKS. With one and no `jwtKey`, JWT acceptance is
 * off by default (JWT-format tokens are refused, 401, without any request), and enabling it
 * explicitly (`jwt: {...}`) stops the app at startup with an `M2MConfigError` that names `jwtKey`
 * and the instance key, in core and through every adapter. An instance key from the environment
 * (`CLERK_SECRET_KEY`) enables it.
 */
import { createVerifier, M2MConfigError, type VerifierOptions } from '@m2m-auth/core'
import { m2mAuth } from '@m2m-auth/express'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { subjects } from '../conformance/subjects/index.js'
import { issueToken } from '../helpers/emulator.js'
import { express5 } from '../helpers/express.js'
import { loopbackFetch, send } from '../helpers/http.js'
import { listen } from '../helpers/server.js'
import { rsaKeyPair } from './support/craft.js'
import { type JwtFixture, startJwtFixture } from './support/fixture.js'

let fx: JwtFixture
beforeEach(async () => {
  fx = await startJwtFixture()
})
afterEach(async () => {
  vi.unstubAllEnvs()
  await fx.close()
})

function receiverOptions(overrides: Partial<VerifierOptions> = {}): VerifierOptions {
  return {
    secretKey: fx.receiver.secretKey,
    apiUrl: fx.emulator.url,
    machineId: fx.receiver.id,
    fetch: loopbackFetch,
    ...overrides,
  }
}

function expectJwtKeyError(error: unknown): void {
  expect(error).toBeInstanceOf(M2MConfigError)
  const { option, message } = error as M2MConfigError
  expect(option).toBe('jwtKey')
  expect(message).toMatch(/jwtKey/)
  expect(message).toMatch(/secretKey/)
  expect(message).toMatch(/sk_/)
  expect(message).not.toContain(fx.receiver.secretKey)
}

describe('core', () => {
  it.each([{}, { maxAgeMs: 60_000 }])('createVerifier({ jwt: %j }) with only an ak_ throws', (jwt) => {
    let thrown: unknown
    try {
      createVerifier(receiverOptions({ jwt }))
    } catch (error) {
      thrown = error
    }
    expectJwtKeyError(thrown)
  })

  it('the same options with jwtKey, or with the instance key, build', () => {
    expect(() => createVerifier(receiverOptions({ jwt: {}, jwtKey: rsaKeyPair().publicPem }))).not.toThrow()
    expect(() => createVerifier(receiverOptions({ jwt: {}, secretKey: fx.emulator.secretKey }))).not.toThrow()
  })
})

describe.each(subjects)('$name', (subject) => {
  const start = (overrides: Partial<VerifierOptions>) =>
    subject.start({
      realm: 'startup',
      scopedRouteScopes: [fx.receiver.id],
      verifier: receiverOptions(overrides),
    })

  it('refuses to start when jwt is enabled with only a Machine Secret Key', async () => {
    expectJwtKeyError(
      await start({ jwt: {} }).then(
        (app) => app.close().then(() => 'started'),
        (error: unknown) => error,
      ),
    )
  })

  it('left at its default, JWT acceptance is off: 401 invalid_token without asking the emulator', async () => {
    const jwt = await fx.issueJwt()
    const app = await start({})
    try {
      const before = fx.emulator.stats().requests
      const response = await send(`${app.url}/protected`, { headers: { authorization: `Bearer ${jwt}` } })
      expect(response.status).toBe(401)
      expect(response.json).toMatchObject({ error: 'invalid_token' })
      expect(fx.emulator.stats().requests - before).toBe(0)
      // The same app accepts opaque tokens: only the JWT format is off.
      const opaque = await issueToken(fx.emulator.url, fx.sender.secretKey)
      const ok = await send(`${app.url}/protected`, { headers: { authorization: `Bearer ${opaque.token}` } })
      expect(ok.status).toBe(200)
    } finally {
      await app.close()
    }
  })
})

describe('express with keys from the environment', () => {
  it('CLERK_SECRET_KEY (instance key) enables JWT verification through the JWKS', async () => {
    vi.stubEnv('CLERK_MACHINE_SECRET_KEY', '')
    vi.stubEnv('CLERK_SECRET_KEY', fx.emulator.secretKey)
    const app = express5()
    app.get(
      '/protected',
      m2mAuth({ apiUrl: fx.emulator.url, machineId: fx.receiver.id, jwt: {} }),
      (req, res) => {
        res.json({ m2m: req.m2m })
      },
    )
    const server = await listen(app)
    try {
      const response = await send(`${server.url}/protected`, {
        headers: { authorization: `Bearer ${await fx.issueJwt()}` },
      })
      expect(response.status).toBe(200)
      expect(response.json).toMatchObject({ m2m: { format: 'jwt', subject: fx.sender.id } })
      expect(fx.jwksRequests()).toBe(1)
    } finally {
      await server.close()
    }
  })

  it('CLERK_MACHINE_SECRET_KEY alone with jwt enabled throws at m2mAuth()', () => {
    vi.stubEnv('CLERK_MACHINE_SECRET_KEY', fx.receiver.secretKey)
    vi.stubEnv('CLERK_SECRET_KEY', '')
    let thrown: unknown
    try {
      m2mAuth({ apiUrl: fx.emulator.url, jwt: {} })
    } catch (error) {
      thrown = error
    }
    expectJwtKeyError(thrown)
  })
})
