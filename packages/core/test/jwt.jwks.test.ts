import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { InvalidTokenError, ServerConfigError, TokenServiceUnavailableError } from '../src/http/errors.js'
import {
  claims,
  type FakeClock,
  fakeClock,
  type JwksServer,
  jwksVerifier,
  type RsaKey,
  rejection,
  rsaKey,
  SENDER,
  secretKey,
  sign,
  startJwksServer,
} from './jwt.helpers.js'

const COOLDOWN_MS = 30_000
const MAX_AGE_MS = 600_000

let k1: RsaKey
let k2: RsaKey
let server: JwksServer
let secret: string
let clock: FakeClock

beforeAll(async () => {
  ;[k1, k2] = await Promise.all([rsaKey('ins_key_1'), rsaKey('ins_key_2')])
})
// A server per test: its URL scopes the module-level key set cache, so tests cannot share keys.
beforeEach(async () => {
  server = await startJwksServer()
  secret = secretKey()
  server.publish(secret, [k1.jwk])
  clock = fakeClock()
})
afterEach(() => server.close())

async function description(promise: Promise<unknown>) {
  const error = await rejection(promise)
  expect(error).toBeInstanceOf(InvalidTokenError)
  return (error as InvalidTokenError).description
}

describe('fetching the key set', () => {
  it('sends the instance secret key as a bearer token to /v1/jwks', async () => {
    const verify = jwksVerifier(server, secret, clock, { apiUrl: `${server.url}/` })
    await verify(await sign(k1, claims()))
    expect(server.authorizations).toEqual([`Bearer ${secret}`])
  })

  it('shares one fetch between concurrent first verifications, across verifiers', async () => {
    server.delayMs = 50
    const tokens = await Promise.all(Array.from({ length: 10 }, () => sign(k1, claims())))
    const a = jwksVerifier(server, secret, clock)
    const b = jwksVerifier(server, secret, clock)
    const results = await Promise.all(tokens.map((token, i) => (i % 2 ? a : b)(token)))
    expect(results.every((result) => result.subject === SENDER)).toBe(true)
    expect(server.requests).toBe(1)
  })

  it("does not make one caller wait for another caller's fetch when shareInFlight is off (Workers)", async () => {
    server.delayMs = 50
    const tokens = await Promise.all(Array.from({ length: 3 }, () => sign(k1, claims())))
    const verify = jwksVerifier(server, secret, clock, { shareInFlight: false })
    const results = await Promise.all(tokens.map((token) => verify(token)))
    expect(results.every((result) => result.subject === SENDER)).toBe(true)
    expect(server.requests).toBe(3)
    // The key set each fetch brought is still cached for everyone afterwards.
    await verify(tokens[0] as string)
    expect(server.requests).toBe(3)
  })

  it('reuses the key set until maxAgeMs, then refetches once', async () => {
    const verify = jwksVerifier(server, secret, clock)
    const token = await sign(k1, claims({ exp: undefined }))
    await verify(token)
    clock.advance(MAX_AGE_MS - 1)
    await verify(token)
    expect(server.requests).toBe(1)
    clock.advance(1)
    await verify(token)
    await verify(token)
    expect(server.requests).toBe(2)
  })
})

describe('key rotation', () => {
  it('refetches exactly once for a new kid and keeps accepting the old one while published', async () => {
    const verify = jwksVerifier(server, secret, clock)
    await verify(await sign(k1, claims()))
    clock.advance(COOLDOWN_MS)
    server.publish(secret, [k1.jwk, k2.jwk])
    // Concurrent tokens with the new kid all wait for the one refetch instead of being refused.
    const fresh = await Promise.all(Array.from({ length: 5 }, () => sign(k2, claims())))
    const results = await Promise.all(fresh.map((token) => verify(token)))
    expect(results.map((result) => result.subject)).toEqual(Array(5).fill(SENDER))
    await verify(await sign(k2, claims()))
    await verify(await sign(k1, claims()))
    expect(server.requests).toBe(2)
  })

  it('stops accepting a key once the refreshed set no longer publishes it', async () => {
    const verify = jwksVerifier(server, secret, clock)
    const old = await sign(k1, claims({ exp: undefined }))
    await verify(old)
    server.publish(secret, [k2.jwk])
    clock.advance(MAX_AGE_MS)
    expect(await description(verify(old))).toBe('unknown key id')
    expect(server.requests).toBe(2)
  })

  it('answers a flood of unknown kids within the cooldown with at most one refetch', async () => {
    const verify = jwksVerifier(server, secret, clock)
    await verify(await sign(k1, claims()))
    const strangers = await Promise.all([0, 1, 2].map((i) => rsaKey(`unknown_${i}`)))
    const flood = await Promise.all(Array.from({ length: 30 }, (_, i) => sign(strangers[i % 3]!, claims())))
    for (const token of flood.slice(0, 10)) expect(await description(verify(token))).toBe('unknown key id')
    expect(server.requests).toBe(1)
    clock.advance(COOLDOWN_MS)
    const outcomes = await Promise.all(flood.slice(10).map((token) => description(verify(token))))
    expect(new Set(outcomes)).toEqual(new Set(['unknown key id']))
    expect(server.requests).toBe(2)
    clock.advance(COOLDOWN_MS - 1)
    expect(await description(verify(flood[0]!))).toBe('unknown key id')
    expect(server.requests).toBe(2)
  })
})

describe('when the key set cannot be fetched', () => {
  it('is unavailable (503) when the server is down', async () => {
    const verify = jwksVerifier(server, secret, clock)
    await server.close()
    const error = await rejection(verify(await sign(k1, claims())))
    expect(error).toBeInstanceOf(TokenServiceUnavailableError)
    expect((error as TokenServiceUnavailableError).description).toBe('The JWKS could not be fetched')
  })

  it('is unavailable (503) when the server does not answer within timeoutMs', async () => {
    server.behave({ kind: 'hang' })
    const verify = jwksVerifier(server, secret, clock, { timeoutMs: 100 })
    const error = await rejection(verify(await sign(k1, claims())))
    expect(error).toBeInstanceOf(TokenServiceUnavailableError)
    expect((error as TokenServiceUnavailableError).description).toBe('The JWKS request timed out')
  })

  it('is unavailable (503) on 5xx, 429 (with its Retry-After) and a malformed key set', async () => {
    const verify = jwksVerifier(server, secret, clock)
    const token = await sign(k1, claims())
    server.behave({ kind: 'status', status: 500 })
    expect(await rejection(verify(token))).toBeInstanceOf(TokenServiceUnavailableError)
    server.behave({ kind: 'status', status: 429, headers: { 'retry-after': '7' } })
    const limited = (await rejection(verify(token))) as TokenServiceUnavailableError
    expect([limited.status, limited.retryAfterSeconds]).toEqual([503, 7])
    clock.advance(7000) // the Retry-After has passed
    server.behave({ kind: 'garbage' })
    expect(await rejection(verify(token))).toBeInstanceOf(TokenServiceUnavailableError)
    expect(server.requests).toBe(3)
  })

  it('is a server configuration error (500) when our key is rejected, and never shows the key', async () => {
    const wrongSecret = secretKey()
    const error = await rejection(jwksVerifier(server, wrongSecret, clock)(await sign(k1, claims())))
    expect(error).toBeInstanceOf(ServerConfigError)
    expect((error as ServerConfigError).status).toBe(500)
    expect((error as ServerConfigError).description).toMatch(/rejected the secret key/)
    expect(`${error.message} ${(error as ServerConfigError).description}`).not.toContain(wrongSecret)
  })

  it('is a server configuration error when the API URL has no JWKS (404)', async () => {
    const verify = jwksVerifier(server, secret, clock, { apiUrl: `${server.url}/wrong` })
    expect(await rejection(verify(await sign(k1, claims())))).toBeInstanceOf(ServerConfigError)
  })

  it('retries on the next verification after a failed first fetch', async () => {
    const verify = jwksVerifier(server, secret, clock)
    const token = await sign(k1, claims())
    server.behave({ kind: 'status', status: 503 })
    expect(await rejection(verify(token))).toBeInstanceOf(TokenServiceUnavailableError)
    server.behave({ kind: 'serve' })
    await expect(verify(token)).resolves.toMatchObject({ subject: SENDER })
    expect(server.requests).toBe(2)
  })

  it('keeps using a stale key set while the refetch fails, retrying once per cooldown', async () => {
    const verify = jwksVerifier(server, secret, clock)
    const token = await sign(k1, claims({ exp: undefined }))
    await verify(token)
    server.behave({ kind: 'status', status: 502 })
    clock.advance(MAX_AGE_MS)
    await expect(verify(token)).resolves.toMatchObject({ subject: SENDER })
    expect(server.requests).toBe(2)
    clock.advance(COOLDOWN_MS - 1)
    await verify(token)
    expect(server.requests).toBe(2)
    clock.advance(1)
    await verify(token)
    expect(server.requests).toBe(3)
  })

  it('does not hide a rejected key behind the stale key set', async () => {
    const verify = jwksVerifier(server, secret, clock)
    const token = await sign(k1, claims({ exp: undefined }))
    await verify(token)
    server.behave({ kind: 'status', status: 401 })
    clock.advance(MAX_AGE_MS)
    expect(await rejection(verify(token))).toBeInstanceOf(ServerConfigError)
  })
})

describe('the shared key set cache', () => {
  it('is bounded: an instance unused while 64 others were used is fetched again', async () => {
    const secrets = Array.from({ length: 65 }, () => secretKey())
    for (const s of secrets) server.publish(s, [k1.jwk])
    const token = await sign(k1, claims())
    for (const s of secrets) await jwksVerifier(server, s, clock)(token)
    expect(server.requests).toBe(65)
    await jwksVerifier(server, secrets[64]!, clock)(token)
    expect(server.requests).toBe(65)
    await jwksVerifier(server, secrets[0]!, clock)(token)
    expect(server.requests).toBe(66)
  })
})

describe('isolation between instances', () => {
  it('does not share keys between API URLs that publish the same kid', async () => {
    const impostor = await rsaKey(k1.kid)
    const other = await startJwksServer()
    try {
      other.publish(secret, [impostor.jwk])
      const tokenForOther = await sign(impostor, claims())
      await expect(jwksVerifier(other, secret, clock)(tokenForOther)).resolves.toBeDefined()
      expect(await description(jwksVerifier(server, secret, clock)(tokenForOther))).toBe('invalid signature')
      const tokenForServer = await sign(k1, claims())
      expect(await description(jwksVerifier(other, secret, clock)(tokenForServer))).toBe('invalid signature')
    } finally {
      await other.close()
    }
  })

  it('does not share keys between secret keys on one API URL', async () => {
    const impostor = await rsaKey(k1.kid)
    const otherSecret = secretKey()
    server.publish(otherSecret, [impostor.jwk])
    await expect(jwksVerifier(server, secret, clock)(await sign(k1, claims()))).resolves.toBeDefined()
    const tokenForOther = await sign(impostor, claims())
    expect(await description(jwksVerifier(server, secret, clock)(tokenForOther))).toBe('invalid signature')
    await expect(jwksVerifier(server, otherSecret, clock)(tokenForOther)).resolves.toBeDefined()
    expect(server.requests).toBe(2)
  })
})
