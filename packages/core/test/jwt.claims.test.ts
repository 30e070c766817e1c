import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InvalidTokenError } from '../src/http/errors.js'
import {
  claims,
  fakeClock,
  type JwksServer,
  jwksVerifier,
  OTHER,
  RECEIVER,
  type RsaKey,
  rejection,
  rsaKey,
  SENDER,
  secretKey,
  sign,
  startJwksServer,
  T0,
} from './jwt.helpers.js'

let server: JwksServer
let key: RsaKey
const secret = secretKey()

beforeAll(async () => {
  key = await rsaKey('ins_key_1')
  server = await startJwksServer()
  server.publish(secret, [key.jwk])
})
afterAll(() => server.close())

/** Verifies `token` at `nowMs` (default T0) with the test defaults (5 s skew). */
function verifyAt(token: string, nowMs = T0, machineId?: string) {
  const clock = fakeClock(nowMs)
  return jwksVerifier(server, secret, clock, machineId === undefined ? {} : { machineId })(token)
}

async function invalid(token: Promise<string> | string, nowMs = T0, machineId?: string) {
  const error = await rejection(verifyAt(await token, nowMs, machineId))
  expect(error).toBeInstanceOf(InvalidTokenError)
  return (error as InvalidTokenError).description
}

describe('a valid Clerk M2M JWT', () => {
  it('verifies into a VerifiedM2MToken with millisecond timestamps', async () => {
    const payload = claims({ jti: 'mt_0123456789abcdef0123456789abcdef' })
    const result = await verifyAt(await sign(key, payload))
    expect(result).toEqual({
      tokenType: 'm2m_token',
      format: 'jwt',
      id: 'mt_0123456789abcdef0123456789abcdef',
      subject: SENDER,
      machineId: SENDER,
      scopes: [RECEIVER, OTHER],
      claims: null,
      expiration: T0 + 3_600_000,
      createdAt: T0,
    })
  })

  it('keeps custom claims intact and removes the registered ones', async () => {
    const custom = { role: 'billing', tenant: { id: 42, tags: ['a', 'b'] }, azp: 'kept', flag: false }
    const token = await sign(key, claims({ ...custom, iss: 'https://clerk.example', aud: [RECEIVER] }))
    expect((await verifyAt(token)).claims).toEqual(custom)
  })

  it('keeps a __proto__ claim as a plain own claim', async () => {
    const payload = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>
    const result = await verifyAt(await sign(key, claims(payload)))
    expect(Object.getPrototypeOf(result.claims)).toBe(Object.prototype)
    expect(Object.keys(result.claims ?? {})).toEqual(['__proto__'])
  })

  it('accepts a token without exp as never expiring', async () => {
    const token = await sign(key, claims({ exp: undefined }))
    const result = await verifyAt(token, T0 + 10 * 365 * 86_400_000)
    expect(result.expiration).toBeNull()
  })

  it('accepts an absent cat header', async () => {
    const token = await sign(key, claims(), { cat: undefined })
    expect((await verifyAt(token)).subject).toBe(SENDER)
  })
})

describe('time claims with a 5 s clock skew', () => {
  const exp = T0 / 1000 + 60
  it('accepts a token until exp + skew, exclusive', async () => {
    const token = await sign(key, claims({ exp }))
    await expect(verifyAt(token, exp * 1000 + 4999)).resolves.toMatchObject({ expiration: exp * 1000 })
    expect(await invalid(token, exp * 1000 + 5000)).toBe('token expired')
  })

  it('accepts a token from nbf - skew on, not a millisecond before', async () => {
    const nbf = T0 / 1000 + 60
    const token = await sign(key, claims({ nbf, iat: T0 / 1000 }))
    await expect(verifyAt(token, nbf * 1000 - 5000)).resolves.toBeDefined()
    expect(await invalid(token, nbf * 1000 - 5001)).toBe('token not yet valid')
  })

  it('rejects a token issued in the future beyond the skew', async () => {
    const token = await sign(key, claims({ iat: T0 / 1000 + 6, nbf: undefined }))
    expect(await invalid(token)).toBe('token issued in the future')
    await expect(verifyAt(token, T0 + 1000)).resolves.toBeDefined()
  })

  it('rejects non-numeric or missing time claims', async () => {
    expect(await invalid(sign(key, claims({ exp: '9999999999' })))).toBe('malformed expiration')
    expect(await invalid(sign(key, claims({ nbf: null })))).toBe('malformed not-before time')
    expect(await invalid(sign(key, claims({ iat: undefined })))).toBe('token has no valid issue time')
  })
})

describe('subject and id', () => {
  it('rejects a token without sub or whose sub is not a machine', async () => {
    expect(await invalid(sign(key, claims({ sub: undefined })))).toBe('token subject is not a machine')
    expect(await invalid(sign(key, claims({ sub: 'user_2abc' })))).toBe('token subject is not a machine')
  })

  it('rejects a token without jti', async () => {
    expect(await invalid(sign(key, claims({ jti: undefined })))).toBe('token has no id')
  })
})

describe('receiver scoping', () => {
  it('reads a space-separated scopes claim, or a string array', async () => {
    expect((await verifyAt(await sign(key, claims({ scopes: ` ${RECEIVER}  ${OTHER} ` })))).scopes).toEqual([
      RECEIVER,
      OTHER,
    ])
    expect((await verifyAt(await sign(key, claims({ scopes: [OTHER] })))).scopes).toEqual([OTHER])
  })

  it('falls back to aud (string or array) when there is no scopes claim', async () => {
    const single = await sign(key, claims({ scopes: undefined, aud: RECEIVER }))
    expect((await verifyAt(single, T0, RECEIVER)).scopes).toEqual([RECEIVER])
    const list = await sign(key, claims({ scopes: undefined, aud: [OTHER, RECEIVER] }))
    expect((await verifyAt(list, T0, RECEIVER)).scopes).toEqual([OTHER, RECEIVER])
    const none = await sign(key, claims({ scopes: undefined }))
    expect((await verifyAt(none)).scopes).toEqual([])
  })

  it('prefers the scopes claim over aud', async () => {
    const token = await sign(key, claims({ scopes: OTHER, aud: RECEIVER }))
    expect(await invalid(token, T0, RECEIVER)).toBe('token not scoped to this machine')
  })

  it('rejects a token not scoped to the receiving machine, via scopes or via aud', async () => {
    const third = 'mch_2aThirdMachineCCCCCCCCCCCC'
    expect(await invalid(sign(key, claims()), T0, third)).toBe('token not scoped to this machine')
    const viaAud = sign(key, claims({ scopes: undefined, aud: [RECEIVER] }))
    expect(await invalid(viaAud, T0, third)).toBe('token not scoped to this machine')
    expect(await invalid(sign(key, claims({ scopes: undefined })), T0, RECEIVER)).toBe(
      'token not scoped to this machine',
    )
  })

  it('rejects a malformed scopes claim', async () => {
    expect(await invalid(sign(key, claims({ scopes: [RECEIVER, 7] })))).toBe('malformed scopes claim')
  })
})

describe('error descriptions', () => {
  it('never contain the token', async () => {
    const tokens = [
      await sign(key, claims({ exp: T0 / 1000 - 60 })),
      await sign(key, claims({ sub: 'user_x' })),
      await sign(key, claims(), { cat: 'cl_other' }),
      `${(await sign(key, claims())).slice(0, -4)}AAAA`,
    ]
    for (const token of tokens) {
      const error = (await rejection(verifyAt(token))) as InvalidTokenError
      const [, payload, signature] = token.split('.') as [string, string, string]
      for (const text of [error.message, error.description, String(error.cause ?? '')]) {
        expect(text).not.toContain(payload)
        expect(text).not.toContain(signature)
      }
    }
  })
})
