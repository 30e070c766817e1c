import { exportSPKI, generateKeyPair } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { M2MConfigError } from '../src/errors.js'
import { type InvalidTokenError, ServerConfigError } from '../src/http/errors.js'
import type { FetchLike } from '../src/types.js'
import { assertJwtKeyConfig, createJwtVerifier, type JwtVerifierOptions } from '../src/verify/jwt.js'
import { claims, RECEIVER, type RsaKey, rejection, rsaKey, SENDER, sign, T0 } from './jwt.helpers.js'

let key: RsaKey
let fetchCalls = 0
const countingFetch: FetchLike = async () => {
  fetchCalls += 1
  throw new Error('no network expected')
}

beforeAll(async () => {
  key = await rsaKey('ins_key_1')
})

function options(overrides: Partial<JwtVerifierOptions> = {}): JwtVerifierOptions {
  return {
    apiUrl: 'https://api.clerk.com',
    secretKey: 'ak_machine_secret_0123456789',
    jwtKey: key.pem,
    fetch: countingFetch,
    timeoutMs: 1000,
    clockSkewMs: 5000,
    now: () => T0,
    ...overrides,
  }
}

describe('networkless verification with jwtKey', () => {
  it('verifies with the PEM key and makes no network call, whatever the kid', async () => {
    const verify = createJwtVerifier(options({ machineId: RECEIVER }))
    const before = fetchCalls
    await expect(verify(await sign(key, claims()))).resolves.toMatchObject({ subject: SENDER, format: 'jwt' })
    await expect(verify(await sign(key, claims(), { kid: 'some_other_kid' }))).resolves.toBeDefined()
    await expect(verify(await sign(key, claims(), { kid: undefined }))).resolves.toBeDefined()
    expect(fetchCalls).toBe(before)
  })

  it('accepts RS384 and RS512 with the same PEM', async () => {
    for (const alg of ['RS384', 'RS512']) {
      const k = await rsaKey('any', alg)
      const verify = createJwtVerifier(options({ jwtKey: k.pem }))
      await expect(verify(await sign(k, claims(), { alg }))).resolves.toMatchObject({ subject: SENDER })
    }
  })

  it('rejects a token signed by another key without any network call', async () => {
    const other = await rsaKey(key.kid)
    const before = fetchCalls
    const error = await rejection(createJwtVerifier(options())(await sign(other, claims())))
    expect((error as InvalidTokenError).description).toBe('invalid signature')
    expect(fetchCalls).toBe(before)
  })

  it('accepts a PEM whose newlines arrive as literal \\n (environment variables)', async () => {
    const verify = createJwtVerifier(options({ jwtKey: key.pem.replace(/\n/g, '\\n') }))
    await expect(verify(await sign(key, claims()))).resolves.toBeDefined()
  })

  it('refuses a jwtKey that is not a PEM public key when the verifier is built', () => {
    const build = () => createJwtVerifier(options({ jwtKey: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA' }))
    expect(build).toThrow(M2MConfigError)
    expect(build).toThrow(/`jwtKey`/)
  })

  it('answers 500 when the PEM holds a key that is not RSA', async () => {
    const ec = await generateKeyPair('ES256', { extractable: true })
    const verify = createJwtVerifier(options({ jwtKey: await exportSPKI(ec.publicKey) }))
    expect(await rejection(verify(await sign(key, claims())))).toBeInstanceOf(ServerConfigError)
  })
})

describe('assertJwtKeyConfig', () => {
  const machineKey = 'ak_machine_secret_0123456789'

  it('rejects a Machine Secret Key without jwtKey, naming the options and CLERK_SECRET_KEY', () => {
    let error: unknown
    try {
      assertJwtKeyConfig({ secretKey: machineKey })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(M2MConfigError)
    const { message, option } = error as M2MConfigError
    expect(option).toBe('jwtKey')
    for (const part of [
      'Machine Secret Key (ak_)',
      'JWKS',
      '`jwtKey`',
      '`secretKey`',
      'sk_',
      'CLERK_SECRET_KEY',
    ]) {
      expect(message).toContain(part)
    }
    expect(message).not.toContain(machineKey)
  })

  it('accepts an instance Secret Key or a jwtKey', () => {
    expect(() => assertJwtKeyConfig({ secretKey: 'sk_test_abc' })).not.toThrow()
    expect(() => assertJwtKeyConfig({ secretKey: machineKey, jwtKey: key.pem })).not.toThrow()
    expect(() => assertJwtKeyConfig({ secretKey: machineKey, jwtKey: '  ' })).toThrow(M2MConfigError)
  })

  it('is enforced by createJwtVerifier, which treats a blank jwtKey as absent', () => {
    expect(() => createJwtVerifier(options({ jwtKey: undefined }))).toThrow(M2MConfigError)
    expect(() => createJwtVerifier(options({ jwtKey: '' }))).toThrow(M2MConfigError)
    expect(() => createJwtVerifier(options({ jwtKey: '', secretKey: 'sk_test_x' }))).not.toThrow()
  })
})

describe('option validation', () => {
  it('names the offending option', () => {
    const cases: [Partial<JwtVerifierOptions>, string][] = [
      [{ timeoutMs: 0 }, 'timeoutMs'],
      [{ clockSkewMs: -1 }, 'clockSkewMs'],
      [{ jwtKey: undefined, secretKey: 'sk_test_x', maxAgeMs: Number.NaN }, 'maxAgeMs'],
      [{ jwtKey: undefined, secretKey: 'sk_test_x', cooldownMs: -5 }, 'cooldownMs'],
      [{ jwtKey: undefined, secretKey: 'sk_test_x', apiUrl: 'api.clerk.com' }, 'apiUrl'],
    ]
    for (const [overrides, option] of cases) {
      let error: unknown
      try {
        createJwtVerifier(options(overrides))
      } catch (caught) {
        error = caught
      }
      expect(error, option).toBeInstanceOf(M2MConfigError)
      expect((error as M2MConfigError).option).toBe(option)
    }
  })
})
