import { base64url, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InvalidTokenError } from '../src/http/errors.js'
import {
  claims,
  fakeClock,
  type JwksServer,
  jwksVerifier,
  M2M_CAT,
  type RsaKey,
  rejection,
  rsaKey,
  SENDER,
  secretKey,
  sign,
  startJwksServer,
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

function verify(token: string) {
  return jwksVerifier(server, secret, fakeClock())(token)
}

async function description(token: string | Promise<string>) {
  const error = await rejection(verify(await token))
  expect(error).toBeInstanceOf(InvalidTokenError)
  return (error as InvalidTokenError).description
}

function unsigned(header: Record<string, unknown>): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value))
  return `${encode(header)}.${encode(claims())}.`
}

describe('algorithms', () => {
  it('accepts RS384 and RS512 signatures from a key published without alg', async () => {
    for (const alg of ['RS384', 'RS512']) {
      const k = await rsaKey(`ins_${alg}`, alg)
      const s = secretKey()
      server.publish(s, [{ ...k.jwk, alg: undefined }])
      const token = await sign(k, claims(), { alg })
      await expect(jwksVerifier(server, s, fakeClock())(token)).resolves.toMatchObject({ subject: SENDER })
    }
  })

  it('rejects alg none, in any spelling, before fetching any key', async () => {
    const before = server.requests
    for (const alg of ['none', 'None', 'NONE']) {
      expect(await description(unsigned({ alg, kid: key.kid, cat: M2M_CAT }))).toBe('unsupported algorithm')
    }
    expect(await description(unsigned({ kid: key.kid }))).toBe('unsupported algorithm')
    expect(server.requests).toBe(before)
  })

  it('rejects HS256 signed with the public key PEM as the HMAC secret', async () => {
    const hmacKey = new TextEncoder().encode(key.pem)
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256', kid: key.kid, cat: M2M_CAT })
      .sign(hmacKey)
    expect(await description(token)).toBe('unsupported algorithm')
  })

  it('rejects ES256 and PS256 tokens', async () => {
    const ec = await generateKeyPair('ES256')
    const es = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .sign(ec.privateKey)
    expect(await description(es)).toBe('unsupported algorithm')
    const ps = await generateKeyPair('PS256')
    const pss = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'PS256', kid: key.kid })
      .sign(ps.privateKey)
    expect(await description(pss)).toBe('unsupported algorithm')
  })
})

describe('signatures and headers', () => {
  it('rejects a token signed by another key under a published kid', async () => {
    const impostor = await rsaKey(key.kid)
    expect(await description(sign(impostor, claims()))).toBe('invalid signature')
  })

  it('rejects a token whose payload was altered after signing', async () => {
    const [header, , signature] = (await sign(key, claims())).split('.')
    const forged = base64url.encode(JSON.stringify(claims({ sub: 'mch_2forgedAAAAAAAAAAAAAAAAAAA' })))
    expect(await description(`${header}.${forged}.${signature}`)).toBe('invalid signature')
  })

  it('rejects a cat header other than the M2M category', async () => {
    const session = await sign(key, claims(), { cat: 'cl_B7d4PD111AAA' })
    expect(await description(session)).toBe('token type not accepted')
  })

  it('rejects crit and unencoded-payload headers', async () => {
    expect(await description(unsigned({ alg: 'RS256', kid: key.kid, crit: ['x'], x: 1 }))).toBe(
      'malformed token',
    )
    expect(await description(unsigned({ alg: 'RS256', kid: key.kid, b64: false }))).toBe('malformed token')
  })

  it('rejects strings that are not compact JWS', async () => {
    for (const token of ['', 'a.b.c', 'not-a-jwt', `${await sign(key, claims())}.extra`]) {
      expect(await description(token)).toBe('malformed token')
    }
  })

  it('tries every published key that shares the token kid', async () => {
    const first = await rsaKey('dup')
    const second = await rsaKey('dup')
    const s = secretKey()
    server.publish(s, [first.jwk, second.jwk])
    const token = await sign(second, claims())
    await expect(jwksVerifier(server, s, fakeClock())(token)).resolves.toMatchObject({ subject: SENDER })
    const stranger = await rsaKey('dup')
    const error = await rejection(jwksVerifier(server, s, fakeClock())(await sign(stranger, claims())))
    expect((error as InvalidTokenError).description).toBe('invalid signature')
  })
})
