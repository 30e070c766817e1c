import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  generateKeyPair,
  jwtVerify,
  SignJWT,
} from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, M2M_JWT_CATEGORY } from '../src/index.js'
import { client, type createClock, PATH_STYLES, startWithClock } from './support.js'

let emulator: Emulator
let clock: ReturnType<typeof createClock>
let api: ReturnType<typeof client>
let orders: Emulator['machines'][number]
let billing: Emulator['machines'][number]

beforeAll(async () => {
  ;({ emulator, clock } = await startWithClock())
  api = client(emulator)
  ;[orders, billing] = emulator.machines as [typeof orders, typeof billing]
})
afterAll(() => emulator.close())

const createJwt = async (claims: Record<string, unknown> | null = { tenant: 'acme' }, seconds = 300) => {
  const res = await api('POST', '/m2m_tokens', {
    key: orders.secretKey,
    json: { token_format: 'jwt', claims, seconds_until_expiration: seconds },
  })
  expect(res.status).toBe(201)
  return res.body as { id: string; token: string; expiration: number }
}

const jwks = async (prefix = '/v1') => (await api('GET', `${prefix}/jwks`, { key: emulator.secretKey })).body

const verify = (token: string, key: string) => api('POST', '/m2m_tokens/verify', { key, json: { token } })

describe('JWT-format tokens', () => {
  it('carry Clerk header and claims: RS256, kid, cat, sub, jti, exp/iat/nbf in seconds, scopes, custom claims', async () => {
    const created = await createJwt({ tenant: 'acme', tier: 2 })
    const header = decodeProtectedHeader(created.token)
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT', cat: M2M_JWT_CATEGORY, kid: expect.any(String) })
    const claims = decodeJwt(created.token)
    expect(claims).toMatchObject({
      sub: orders.id,
      jti: created.id,
      scopes: billing.id,
      tenant: 'acme',
      tier: 2,
    })
    expect(claims.nbf).toBe(claims.iat)
    expect(claims.exp! - claims.iat!).toBeGreaterThanOrEqual(300)
    expect(created.expiration).toBe(claims.exp! * 1000)
  })

  it.each(PATH_STYLES)('verify with jose against the JWKS served on %s paths', async (_style, prefix) => {
    const created = await createJwt()
    const { payload } = await jwtVerify(created.token, createLocalJWKSet(await jwks(prefix)), {
      algorithms: ['RS256'],
      currentDate: new Date(clock.now()),
    })
    expect(payload.sub).toBe(orders.id)
  })

  it('verify on the verify route with scope rules, like opaque tokens', async () => {
    const { token, id } = await createJwt({ tenant: 'acme' })
    const byReceiver = await verify(token, billing.secretKey)
    expect(byReceiver.status).toBe(200)
    expect(byReceiver.body).toMatchObject({
      id,
      subject: orders.id,
      scopes: [billing.id],
      claims: { tenant: 'acme' },
    })
    expect((await verify(token, orders.secretKey)).status).toBe(404)
    expect((await verify(token, emulator.secretKey)).status).toBe(200)
  })

  it('answer 404 once expired, when tampered with, or when signed by a foreign key with our kid', async () => {
    const { token } = await createJwt(null, 60)
    const [head, body, signature] = token.split('.') as [string, string, string]
    const flipped = `${head}.${body}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`
    expect((await verify(flipped, billing.secretKey)).status).toBe(404)

    const foreign = await generateKeyPair('RS256')
    const forged = await new SignJWT(decodeJwt(token))
      .setProtectedHeader(decodeProtectedHeader(token) as { alg: string })
      .sign(foreign.privateKey)
    expect((await verify(forged, billing.secretKey)).status).toBe(404)

    clock.advance(61_000)
    expect((await verify(token, billing.secretKey)).status).toBe(404)
    clock.advance(-61_000)
    expect((await verify(token, billing.secretKey)).status).toBe(200)
  })

  it('omit the scopes claim for a machine without grants and report null claims when none were set', async () => {
    const loner = emulator.createMachine({ name: `loner-${Math.random()}` })
    const res = await api('POST', '/m2m_tokens', { key: loner.secretKey, json: { token_format: 'jwt' } })
    expect(decodeJwt(res.body.token).scopes).toBeUndefined()
    const verified = await verify(res.body.token, emulator.secretKey)
    expect(verified.body).toMatchObject({ scopes: [], claims: null })
  })

  it('are not stored: revoking their id answers 404', async () => {
    const { id } = await createJwt()
    const res = await api('POST', `/m2m_tokens/${id}/revoke`, { key: emulator.secretKey })
    expect(res.status).toBe(404)
  })
})

describe('JWT key rotation', () => {
  it('publishes the new key first, keeps the old one by default, and signs new tokens with the new kid', async () => {
    const before = await createJwt()
    const oldKid = decodeProtectedHeader(before.token).kid
    const { kid } = await emulator.rotateJwtKey()
    expect(kid).not.toBe(oldKid)
    const set = await jwks()
    expect(set.keys.map((k: { kid: string }) => k.kid).slice(0, 2)).toEqual([kid, oldKid])
    const after = await createJwt()
    expect(decodeProtectedHeader(after.token).kid).toBe(kid)
    const keySet = createLocalJWKSet(set)
    const options = { currentDate: new Date(clock.now()) }
    await expect(jwtVerify(before.token, keySet, options)).resolves.toBeTruthy()
    await expect(jwtVerify(after.token, keySet, options)).resolves.toBeTruthy()
    expect((await verify(before.token, billing.secretKey)).status).toBe(200)
  })

  it('drops old keys with keepOld: false, after which old tokens no longer verify', async () => {
    const before = await createJwt()
    const { kid } = await emulator.rotateJwtKey({ keepOld: false })
    const set = await jwks('')
    expect(set.keys.map((k: { kid: string }) => k.kid)).toEqual([kid])
    expect((await verify(before.token, billing.secretKey)).status).toBe(404)
    expect((await verify((await createJwt()).token, billing.secretKey)).status).toBe(200)
  })
})
