/**
 * Networkless JWT verification: `jwtKey` set to the PEM of the emulator's public key (read from its
 * JWKS and converted with jose `importJWK` + `exportSPKI`) verifies emulator-issued JWTs with zero
 * requests to the emulator, in core and through every adapter, with a Machine Secret Key (`ak_`,
 * which could not fetch the JWKS) or the instance key.
 */
import type { FetchLike } from '@m2m-auth/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { subjects } from '../conformance/subjects/index.js'
import { loopbackFetch, send } from '../helpers/http.js'
import { emulatorSigningKey } from './support/craft.js'
import { type JwtFixture, startJwtFixture } from './support/fixture.js'

let fx: JwtFixture
let pem: string
let fetchCalls: number
/** The verifiers' transport: counts every request they make, to anywhere. */
const countingFetch: FetchLike = (input, init) => {
  fetchCalls++
  return loopbackFetch(input, init)
}

beforeEach(async () => {
  fx = await startJwtFixture()
  ;({ pem } = await emulatorSigningKey(fx.emulator.url, fx.emulator.secretKey))
  fetchCalls = 0
})
afterEach(() => fx.close())

/** Requests the emulator received during `run` (token issuing happens before it). */
async function emulatorRequestsDuring(run: () => Promise<void>): Promise<number> {
  const before = fx.emulator.stats().requests
  await run()
  return fx.emulator.stats().requests - before
}

describe('createVerifier with jwtKey', () => {
  it.each([
    ['a Machine Secret Key (ak_)', () => fx.receiver.secretKey],
    ['the instance key (sk_): jwtKey wins over the JWKS', () => fx.emulator.secretKey],
  ])('verifies emulator JWTs with zero requests, with %s', async (_name, secretKey) => {
    const tokens = [await fx.issueJwt({ team: 'billing' }), await fx.issueJwt()]
    const verifier = fx.verifier({ secretKey: secretKey(), jwtKey: pem, fetch: countingFetch, cache: false })
    const requests = await emulatorRequestsDuring(async () => {
      await expect(verifier.verify(tokens[0]!)).resolves.toMatchObject({
        format: 'jwt',
        subject: fx.sender.id,
        scopes: [fx.receiver.id],
        claims: { team: 'billing' },
      })
      await expect(verifier.verify(tokens[1]!)).resolves.toMatchObject({ claims: null })
    })
    expect(requests).toBe(0)
    expect(fetchCalls).toBe(0)
  })

  it('accepts a PEM with escaped newlines, as environment variables often carry it', async () => {
    const token = await fx.issueJwt()
    const verifier = fx.verifier({
      secretKey: fx.receiver.secretKey,
      jwtKey: pem.replace(/\n/g, '\\n'),
      fetch: countingFetch,
    })
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: fx.sender.id })
    expect(fetchCalls).toBe(0)
  })

  it('refuses a token signed by a newer key (kid is not consulted), still without a request', async () => {
    await fx.emulator.rotateJwtKey({ keepOld: true })
    const token = await fx.issueJwt()
    const verifier = fx.verifier({ secretKey: fx.receiver.secretKey, jwtKey: pem, fetch: countingFetch })
    const requests = await emulatorRequestsDuring(async () => {
      await expect(verifier.verify(token)).rejects.toMatchObject({
        status: 401,
        description: 'The access token is invalid', // the same for every refusal
        cause: expect.objectContaining({ description: 'invalid signature' }),
      })
    })
    expect(requests).toBe(0)
    expect(fetchCalls).toBe(0)
  })

  it('still enforces machineId', async () => {
    const token = await fx.issueJwt()
    const stranger = fx.emulator.createMachine({ name: 'stranger' })
    const verifier = fx.verifier({ secretKey: stranger.secretKey, machineId: stranger.id, jwtKey: pem })
    await expect(verifier.verify(token)).rejects.toMatchObject({ status: 401, code: 'invalid_token' })
  })
})

describe.each(subjects)('$name with secretKey ak_ and jwtKey', (subject) => {
  it('answers 200 with the caller for an emulator JWT, with zero requests to the emulator', async () => {
    const token = await fx.issueJwt({ team: 'billing' })
    const app = await subject.start({
      realm: 'networkless',
      scopedRouteScopes: [fx.receiver.id],
      verifier: {
        secretKey: fx.receiver.secretKey,
        apiUrl: fx.emulator.url,
        machineId: fx.receiver.id,
        jwtKey: pem,
        fetch: countingFetch,
      },
    })
    try {
      let body: unknown
      const requests = await emulatorRequestsDuring(async () => {
        const response = await send(`${app.url}/protected`, { headers: { authorization: `Bearer ${token}` } })
        expect(response.status).toBe(200)
        body = response.json
      })
      expect(body).toMatchObject({
        m2m: { format: 'jwt', subject: fx.sender.id, claims: { team: 'billing' } },
      })
      expect(requests).toBe(0)
      expect(fetchCalls).toBe(0)
    } finally {
      await app.close()
    }
  })
})
