import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../src/index.js'
import { client, PATH_STYLES } from './support.js'

let emulator: Emulator
let api: ReturnType<typeof client>
let orders: Emulator['machines'][number]
let billing: Emulator['machines'][number]

beforeAll(async () => {
  emulator = await startEmulator()
  api = client(emulator)
  ;[orders, billing] = emulator.machines as [typeof orders, typeof billing]
})
afterAll(() => emulator.close())

describe.each(PATH_STYLES)('the M2M token routes on %s paths', (_style, prefix) => {
  it('creates an opaque token whose string differs from its id and whose scopes are the creator grants', async () => {
    const res = await api('POST', `${prefix}/m2m_tokens`, {
      key: orders.secretKey,
      json: { claims: { job: 7 } },
    })
    expect(res.status).toBe(201)
    expect(res.body.id).toMatch(/^mt_[0-9a-f]{32}$/)
    expect(res.body.token).toMatch(/^mt_[0-9A-Za-z]{48}$/)
    expect(res.body.subject).toBe(orders.id)
    expect(res.body.scopes).toEqual([billing.id])
    expect(res.body.claims).toEqual({ job: 7 })
    expect(res.body.expiration - res.body.created_at).toBe(3_600_000)
  })

  it('verifies, lists and revokes, after which verify answers 404', async () => {
    const created = await api('POST', `${prefix}/m2m_tokens`, { key: orders.secretKey })
    const verified = await api('POST', `${prefix}/m2m_tokens/verify`, {
      key: billing.secretKey,
      json: { token: created.body.token },
    })
    expect(verified.status).toBe(200)
    expect(verified.body.id).toBe(created.body.id)
    expect(verified.body.token).toBeUndefined()
    expect(verified.body.last_used_at).toEqual(expect.any(Number))

    const listed = await api('GET', `${prefix}/m2m_tokens?subject=${orders.id}&limit=100`, {
      key: orders.secretKey,
    })
    expect(listed.status).toBe(200)
    expect(listed.body.m2m_tokens.map((t: { id: string }) => t.id)).toContain(created.body.id)

    const revoked = await api('POST', `${prefix}/m2m_tokens/${created.body.id}/revoke`, {
      key: orders.secretKey,
      json: { revocation_reason: 'rotated' },
    })
    expect(revoked.status).toBe(200)
    expect(revoked.body).toMatchObject({ revoked: true, revocation_reason: 'rotated' })

    const after = await api('POST', `${prefix}/m2m_tokens/verify`, {
      key: billing.secretKey,
      json: { token: created.body.token },
    })
    expect(after.status).toBe(404)
    expect(after.body.errors[0].code).toBe('resource_not_found')
  })

  it('serves the JWKS to the instance secret key', async () => {
    const res = await api('GET', `${prefix}/jwks`, { key: emulator.secretKey })
    expect(res.status).toBe(200)
    expect(res.body.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) })
  })
})

describe('authentication', () => {
  it('answers 401 without a key, with an unknown key and with a non-Bearer scheme', async () => {
    const none = await api('POST', '/m2m_tokens', { json: {} })
    const unknown = await api('POST', '/m2m_tokens', { key: 'ak_notakeyofthisinstance', json: {} })
    const basic = await api('POST', '/m2m_tokens', {
      headers: { authorization: `Basic ${orders.secretKey}` },
    })
    expect([none.status, unknown.status, basic.status]).toEqual([401, 401, 401])
    expect(unknown.body.errors[0].code).toBe('clerk_key_invalid')
    expect(JSON.stringify(unknown.body)).not.toContain('ak_notakeyofthisinstance')
  })

  it('accepts the Bearer scheme in any letter case', async () => {
    const res = await api('POST', '/m2m_tokens', { headers: { authorization: `bearer ${orders.secretKey}` } })
    expect(res.status).toBe(201)
  })
})

describe('key rules', () => {
  it('refuses to create a token with the instance secret key (401 machine_secret_key_invalid)', async () => {
    const res = await api('POST', '/m2m_tokens', { key: emulator.secretKey, json: {} })
    expect(res.status).toBe(401)
    expect(res.body.errors[0].code).toBe('machine_secret_key_invalid')
  })

  it('verifies with a machine key only when that machine is in the token scopes', async () => {
    const token = (await api('POST', '/m2m_tokens', { key: orders.secretKey })).body.token
    const bySender = await api('POST', '/m2m_tokens/verify', { key: orders.secretKey, json: { token } })
    const byReceiver = await api('POST', '/m2m_tokens/verify', { key: billing.secretKey, json: { token } })
    const byInstance = await api('POST', '/m2m_tokens/verify', { key: emulator.secretKey, json: { token } })
    expect([bySender.status, byReceiver.status, byInstance.status]).toEqual([404, 200, 200])
  })

  it('lets a machine list only its own tokens; the instance key lists any machine', async () => {
    const own = await api('GET', `/m2m_tokens?subject=${orders.id}`, { key: orders.secretKey })
    const other = await api('GET', `/m2m_tokens?subject=${billing.id}`, { key: orders.secretKey })
    const instance = await api('GET', `/m2m_tokens?subject=${orders.id}`, { key: emulator.secretKey })
    expect([own.status, other.status, instance.status]).toEqual([200, 403, 200])
  })

  it('answers 404 when listing an unknown machine and 400 for a malformed or missing subject', async () => {
    const unknown = await api('GET', `/m2m_tokens?subject=mch_${'x'.repeat(27)}`, { key: emulator.secretKey })
    const malformed = await api('GET', '/m2m_tokens?subject=orders', { key: emulator.secretKey })
    const missing = await api('GET', '/m2m_tokens', { key: emulator.secretKey })
    expect([unknown.status, malformed.status, missing.status]).toEqual([404, 400, 400])
    expect(malformed.body.errors[0].meta).toEqual({ param_name: 'subject' })
    expect(missing.body.errors[0].code).toBe('form_param_missing')
  })

  it('lets a machine revoke only its own tokens (404 otherwise); the instance key revokes any', async () => {
    const { id } = (await api('POST', '/m2m_tokens', { key: orders.secretKey })).body
    const byOther = await api('POST', `/m2m_tokens/${id}/revoke`, { key: billing.secretKey })
    expect(byOther.status).toBe(404)
    const byInstance = await api('POST', `/m2m_tokens/${id}/revoke`, { key: emulator.secretKey, json: {} })
    expect(byInstance.status).toBe(200)
    expect(byInstance.body.revocation_reason).toBeNull()
  })

  it('answers 404 for an unknown token id and 400 for a malformed one on revoke', async () => {
    const unknown = await api('POST', `/m2m_tokens/mt_${'0'.repeat(32)}/revoke`, { key: emulator.secretKey })
    const malformed = await api('POST', '/m2m_tokens/mt_nothex/revoke', { key: emulator.secretKey })
    expect([unknown.status, malformed.status]).toEqual([404, 400])
  })

  it('keeps the first reason when a token is revoked twice', async () => {
    const { id } = (await api('POST', '/m2m_tokens', { key: orders.secretKey })).body
    await api('POST', `/m2m_tokens/${id}/revoke`, {
      key: orders.secretKey,
      json: { revocation_reason: 'first' },
    })
    const again = await api('POST', `/m2m_tokens/${id}/revoke`, {
      key: orders.secretKey,
      json: { revocation_reason: 'x' },
    })
    expect(again.status).toBe(200)
    expect(again.body.revocation_reason).toBe('first')
  })

  it('refuses the JWKS to a machine key (403) and to no key (401)', async () => {
    const byMachine = await api('GET', '/v1/jwks', { key: orders.secretKey })
    const anonymous = await api('GET', '/v1/jwks')
    expect([byMachine.status, anonymous.status]).toEqual([403, 401])
  })

  it('fixes a token scopes at creation: later grants apply to later tokens only', async () => {
    const auditor = emulator.createMachine({ name: `auditor-${Date.now()}` })
    const before = (await api('POST', '/m2m_tokens', { key: orders.secretKey })).body
    emulator.grantScope(orders.id, auditor.id)
    const after = (await api('POST', '/m2m_tokens', { key: orders.secretKey })).body
    expect(after.scopes).toEqual([billing.id, auditor.id])
    const old = await api('POST', '/m2m_tokens/verify', {
      key: auditor.secretKey,
      json: { token: before.token },
    })
    const fresh = await api('POST', '/m2m_tokens/verify', {
      key: auditor.secretKey,
      json: { token: after.token },
    })
    expect([old.status, fresh.status]).toEqual([404, 200])
    const recheck = await api('POST', '/m2m_tokens/verify', {
      key: emulator.secretKey,
      json: { token: before.token },
    })
    expect(recheck.body.scopes).toEqual([billing.id])
  })
})

describe('verify input', () => {
  it('answers 400 for a missing, empty or non-string token and 404 for unknown ones', async () => {
    const key = emulator.secretKey
    const missing = await api('POST', '/m2m_tokens/verify', { key, json: {} })
    const empty = await api('POST', '/m2m_tokens/verify', { key, json: { token: '' } })
    const number = await api('POST', '/m2m_tokens/verify', { key, json: { token: 42 } })
    const unknown = await api('POST', '/m2m_tokens/verify', { key, json: { token: `mt_${'a'.repeat(48)}` } })
    const fakeJwt = await api('POST', '/m2m_tokens/verify', { key, json: { token: 'e30.e30.c2ln' } })
    const byId = (await api('POST', '/m2m_tokens', { key: orders.secretKey })).body.id
    const idAsToken = await api('POST', '/m2m_tokens/verify', { key, json: { token: byId } })
    expect([missing.status, empty.status, number.status]).toEqual([400, 400, 400])
    expect(missing.body.errors[0]).toMatchObject({
      code: 'form_param_missing',
      meta: { param_name: 'token' },
    })
    expect([unknown.status, fakeJwt.status, idAsToken.status]).toEqual([404, 404, 404])
  })
})

describe('create input', () => {
  const bad: Array<[string, unknown, string]> = [
    ['zero lifetime', { seconds_until_expiration: 0 }, 'seconds_until_expiration'],
    ['negative lifetime', { seconds_until_expiration: -5 }, 'seconds_until_expiration'],
    ['string lifetime', { seconds_until_expiration: '60' }, 'seconds_until_expiration'],
    ['unknown format', { token_format: 'paseto' }, 'token_format'],
    ['unknown field', { scopes: ['mch_x'] }, 'scopes'],
    ['fractional reuse window', { min_remaining_ttl_seconds: 1.5 }, 'min_remaining_ttl_seconds'],
    [
      'reuse window not below the lifetime',
      { seconds_until_expiration: 60, min_remaining_ttl_seconds: 60 },
      'min_remaining_ttl_seconds',
    ],
    ['JWT claims that are not an object', { token_format: 'jwt', claims: [1, 2] }, 'claims'],
    ['JWT claims that override sub', { token_format: 'jwt', claims: { sub: 'mch_evil' } }, 'claims'],
  ]

  it.each(bad)('answers a field-level 400 for %s', async (_name, json, param) => {
    const res = await api('POST', '/m2m_tokens', { key: orders.secretKey, json })
    expect(res.status).toBe(400)
    expect(res.body.errors.map((e: { meta?: { param_name?: string } }) => e.meta?.param_name)).toContain(
      param,
    )
  })

  it('lists every problem of one request', async () => {
    const res = await api('POST', '/m2m_tokens', { key: orders.secretKey, json: { a: 1, token_format: 2 } })
    expect(res.body.errors).toHaveLength(2)
  })

  it('accepts null lifetime and claims the way Clerk SDK sends them', async () => {
    const json = { seconds_until_expiration: null, claims: null, token_format: 'opaque' }
    const res = await api('POST', '/m2m_tokens', { key: orders.secretKey, json })
    expect(res.status).toBe(201)
    expect(res.body.claims).toBeNull()
  })
})
