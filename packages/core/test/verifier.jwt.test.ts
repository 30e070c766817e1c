/**
 * JWT-format M2M tokens through createVerifier: dispatched by classification to the local JWT
 * verifier, answered through the same positive cache (TTL capped at `exp`), rejected without any
 * work when JWT acceptance is off. Keys: a PEM (networkless) or a loopback JWKS server.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { createVerifier, InvalidTokenError, type VerifierOptions } from '../src/index.js'
import {
  claims,
  type FakeClock,
  fakeClock,
  OTHER,
  RECEIVER,
  type RsaKey,
  rsaKey,
  SENDER,
  secretKey,
  sign,
  startJwksServer,
  T0,
} from './jwt.helpers.js'
import { rejectionOf } from './verifier.fixtures.js'

let key: RsaKey
let clock: FakeClock
beforeAll(async () => {
  key = await rsaKey('kid-1')
})

function pemVerifier(options: Partial<VerifierOptions> = {}) {
  clock = fakeClock()
  return createVerifier({
    secretKey: 'ak_receiver_machine_key',
    apiUrl: 'http://127.0.0.1:1', // never called: the key is local
    jwtKey: key.pem,
    machineId: RECEIVER,
    now: () => clock.now(),
    ...options,
  })
}

describe('JWT-format tokens', () => {
  it('are verified locally and answered from the cache afterwards', async () => {
    const verifier = pemVerifier()
    const token = await sign(key, claims({ jti: 'mt_jwt_1', team: 'billing' }))
    const verified = await verifier.verify(token)
    expect(verified).toMatchObject({
      format: 'jwt',
      id: 'mt_jwt_1',
      subject: SENDER,
      machineId: SENDER,
      scopes: [RECEIVER, OTHER],
      claims: { team: 'billing' },
      expiration: T0 + 3600_000,
    })
    await verifier.verify(token)
    expect(verifier.stats()).toMatchObject({ hits: 1, misses: 1, upstreamCalls: 1 })
  })

  it('are never served from the cache past their exp', async () => {
    const verifier = pemVerifier({ cache: { ttlMs: 60_000 }, clockSkewMs: 0 })
    const token = await sign(key, claims({ exp: T0 / 1000 + 10 }))
    await verifier.verify(token)
    clock.set(T0 + 9_999)
    await verifier.verify(token)
    expect(verifier.stats().hits).toBe(1)
    clock.set(T0 + 10_000)
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenError)
  })

  it('are rejected when not scoped to machineId, and that "no" is cached', async () => {
    const verifier = pemVerifier()
    const token = await sign(key, claims({ scopes: OTHER }))
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenError)
    await expect(verifier.verify(token)).rejects.toBeInstanceOf(InvalidTokenError)
    expect(verifier.stats()).toMatchObject({ upstreamCalls: 1, negativeHits: 1 })
  })

  it('signed by another key are rejected with 401', async () => {
    const verifier = pemVerifier()
    const other = await rsaKey('kid-1')
    const error = await rejectionOf(verifier.verify(await sign(other, claims())))
    expect(error).toBeInstanceOf(InvalidTokenError)
    expect(error.status).toBe(401)
  })

  it('jwt: false rejects them without verifying anything', async () => {
    const verifier = pemVerifier({ jwt: false })
    const error = await rejectionOf(verifier.verify(await sign(key, claims())))
    expect(error).toBeInstanceOf(InvalidTokenError)
    expect(verifier.stats()).toMatchObject({ upstreamCalls: 0, misses: 0 })
  })

  it('are rejected, not failed at startup, with a Machine Secret Key and no jwtKey', async () => {
    const verifier = pemVerifier({ jwtKey: undefined })
    const error = await rejectionOf(verifier.verify(await sign(key, claims())))
    expect(error).toBeInstanceOf(InvalidTokenError)
    expect(error.message).toBe('The access token is invalid') // the same answer as any refusal
  })

  it('are verified against the JWKS when the secret key is the instance key', async () => {
    const jwks = await startJwksServer()
    try {
      const secret = secretKey()
      jwks.publish(`${secret}`, [key.jwk])
      clock = fakeClock()
      const verifier = createVerifier({
        secretKey: secret,
        apiUrl: jwks.url,
        machineId: RECEIVER,
        now: clock.now,
      })
      const token = await sign(key, claims())
      await expect(verifier.verify(token)).resolves.toMatchObject({ format: 'jwt' })
      await expect(verifier.verify(token)).resolves.toMatchObject({ format: 'jwt' })
      expect(jwks.requests).toBe(1)
    } finally {
      await jwks.close()
    }
  })

  it('coalesce concurrent verifications of one JWT', async () => {
    const verifier = pemVerifier()
    const token = await sign(key, claims())
    await Promise.all(Array.from({ length: 50 }, () => verifier.verify(token)))
    expect(verifier.stats()).toMatchObject({ upstreamCalls: 1, coalesced: 49 })
  })
})
