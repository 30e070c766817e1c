import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { createM2MClient, type M2MClientOptions, type PathStyle } from '../src/index.js'
import {
  type FakeClerk,
  MACHINE_A,
  MACHINE_B,
  startFakeClerk,
  TOKEN_ID,
  wireToken,
} from './helpers/fake-clerk.js'

const SECRET = 'ak_test_operations_0123456789abcdef'
const fake: FakeClerk = await startFakeClerk()
afterAll(() => fake.close())
beforeEach(() => fake.reset())

function client(options: Partial<M2MClientOptions> = {}) {
  return createM2MClient({ secretKey: SECRET, apiUrl: fake.url, ...options })
}

describe('createToken', () => {
  it('POSTs snake_case params to /m2m_tokens and camelCases the created token', async () => {
    fake.on('POST', '/m2m_tokens', () => ({ status: 201, body: wireToken({ token: 'mt_secret_value' }) }))
    const token = await client().createToken({
      secondsUntilExpiration: 3600,
      claims: { tenantId: 't1' },
      tokenFormat: 'opaque',
      minRemainingTtlSeconds: 240,
    })
    const [request] = fake.requests
    expect(request?.method).toBe('POST')
    expect(request?.path).toBe('/m2m_tokens')
    expect(request?.headers['content-type']).toBe('application/json')
    // Claims are the caller's JSON: their keys are not snake_cased.
    expect(request?.json).toEqual({
      seconds_until_expiration: 3600,
      claims: { tenantId: 't1' },
      token_format: 'opaque',
      min_remaining_ttl_seconds: 240,
    })
    expect(token).toEqual({
      object: 'machine_to_machine_token',
      id: TOKEN_ID,
      subject: MACHINE_A,
      claims: { important_metadata: 'Some useful data' },
      scopes: [MACHINE_B],
      token: 'mt_secret_value',
      revoked: false,
      revocationReason: null,
      expired: false,
      expiration: 1716883200000,
      lastUsedAt: null,
      createdAt: 1716879600000,
      updatedAt: 1716879600000,
    })
  })

  it('sends an empty JSON object when called without params, and null expiration as null', async () => {
    fake.on('POST', '/m2m_tokens', () => ({ status: 201, body: wireToken({ token: 'mt_x' }) }))
    await client().createToken()
    await client().createToken({ secondsUntilExpiration: null, claims: null, tokenFormat: 'jwt' })
    expect(fake.requests.map((r) => r.json)).toEqual([
      {},
      { seconds_until_expiration: null, claims: null, token_format: 'jwt' },
    ])
  })
})

describe('listTokens', () => {
  it('GETs /m2m_tokens with query params and maps { m2m_tokens, total_count } to { data, totalCount }', async () => {
    const second = wireToken({
      id: 'mt_0123456789abcdef0123456789ABCDEF',
      revoked: true,
      revocation_reason: 'gone',
    })
    fake.on('GET', '/m2m_tokens', () => ({ body: { m2m_tokens: [wireToken(), second], total_count: 7 } }))
    const list = await client().listTokens({
      subject: MACHINE_A,
      revoked: true,
      expired: false,
      limit: 2,
      offset: 4,
    })
    const [request] = fake.requests
    expect(request?.method).toBe('GET')
    expect(request?.body).toBe('')
    expect(request?.query).toEqual({
      subject: MACHINE_A,
      revoked: 'true',
      expired: 'false',
      limit: '2',
      offset: '4',
    })
    expect(list.totalCount).toBe(7)
    expect(list.data.map((t) => [t.id, t.revoked, t.revocationReason])).toEqual([
      [TOKEN_ID, false, null],
      ['mt_0123456789abcdef0123456789ABCDEF', true, 'gone'],
    ])
    expect(list.data[0]).not.toHaveProperty('token')
  })

  it('sends only the subject when no filter is given', async () => {
    fake.on('GET', '/m2m_tokens', () => ({ body: { m2m_tokens: [], total_count: 0 } }))
    expect(await client().listTokens({ subject: MACHINE_B })).toEqual({ data: [], totalCount: 0 })
    expect(fake.requests[0]?.query).toEqual({ subject: MACHINE_B })
  })
})

describe('revokeToken', () => {
  it('POSTs the reason to /m2m_tokens/{id}/revoke and returns the revoked token', async () => {
    fake.on('POST', '/m2m_tokens/:id/revoke', (r) => ({
      body: wireToken({ id: r.params.id, revoked: true, revocation_reason: 'rotated' }),
    }))
    const token = await client().revokeToken({ m2mTokenId: TOKEN_ID, revocationReason: 'rotated' })
    expect(fake.requests[0]?.path).toBe(`/m2m_tokens/${TOKEN_ID}/revoke`)
    expect(fake.requests[0]?.json).toEqual({ revocation_reason: 'rotated' })
    expect(token).toMatchObject({ id: TOKEN_ID, revoked: true, revocationReason: 'rotated' })
  })

  it('sends an empty body when no reason is given', async () => {
    fake.on('POST', '/m2m_tokens/:id/revoke', () => ({ body: wireToken({ revoked: true }) }))
    await client().revokeToken({ m2mTokenId: TOKEN_ID })
    expect(fake.requests[0]?.json).toEqual({})
  })
})

describe('verifyToken', () => {
  it('POSTs { token } to /m2m_tokens/verify and returns the token object without a secret', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => ({ body: wireToken({ last_used_at: 1716880000000 }) }))
    const token = await client().verifyToken({ token: 'mt_opaque_token_value' })
    expect(fake.requests[0]?.json).toEqual({ token: 'mt_opaque_token_value' })
    expect(token).toMatchObject({
      id: TOKEN_ID,
      subject: MACHINE_A,
      scopes: [MACHINE_B],
      lastUsedAt: 1716880000000,
    })
    expect(token).not.toHaveProperty('token')
  })

  it('fills documented defaults when optional fields are absent', async () => {
    const { scopes, claims, last_used_at, updated_at, revocation_reason, object, ...bare } = wireToken()
    fake.on('POST', '/m2m_tokens/verify', () => ({ body: bare }))
    const token = await client().verifyToken({ token: 'mt_x' })
    expect(token).toMatchObject({ scopes: [], claims: null, lastUsedAt: null, revocationReason: null })
    expect(token.updatedAt).toBe(token.createdAt)
  })

  it('ignores unknown extra fields so that Clerk can add fields', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => ({ body: wireToken({ brand_new_field: { a: 1 } }) }))
    const token = await client().verifyToken({ token: 'mt_x' })
    expect(token).not.toHaveProperty('brand_new_field')
    expect(token).not.toHaveProperty('brandNewField')
  })
})

describe('transport', () => {
  it('sends the bearer key, Accept and the default Clerk-API-Version on every call', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => ({ body: wireToken() }))
    await client().verifyToken({ token: 'mt_x' })
    const headers = fake.requests[0]?.headers
    expect(headers?.authorization).toBe(`Bearer ${SECRET}`)
    expect(headers?.accept).toBe('application/json')
    expect(headers?.['clerk-api-version']).toBe('2026-05-12')
  })

  it('sends a configured apiVersion', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => ({ body: wireToken() }))
    await client({ apiVersion: '2025-04-10' }).verifyToken({ token: 'mt_x' })
    expect(fake.requests[0]?.headers['clerk-api-version']).toBe('2025-04-10')
  })

  it('uses the per-call secretKey instead of the client key', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => ({ body: wireToken() }))
    await client().verifyToken({ token: 'mt_x' }, { secretKey: 'sk_test_instance_key' })
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk_test_instance_key')
  })

  it.each<[PathStyle, string]>([
    ['unversioned', ''],
    ['v1', '/v1'],
  ])('pathStyle %s puts every operation under "%s"', async (pathStyle, prefix) => {
    fake.on('POST', `${prefix}/m2m_tokens`, () => ({ status: 201, body: wireToken({ token: 'mt_x' }) }))
    fake.on('GET', `${prefix}/m2m_tokens`, () => ({ body: { m2m_tokens: [], total_count: 0 } }))
    fake.on('POST', `${prefix}/m2m_tokens/:id/revoke`, () => ({ body: wireToken({ revoked: true }) }))
    fake.on('POST', `${prefix}/m2m_tokens/verify`, () => ({ body: wireToken() }))
    const c = client({ pathStyle })
    await c.createToken()
    await c.listTokens({ subject: MACHINE_A })
    await c.revokeToken({ m2mTokenId: TOKEN_ID })
    await c.verifyToken({ token: 'mt_x' })
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${prefix}/m2m_tokens`,
      `GET ${prefix}/m2m_tokens`,
      `POST ${prefix}/m2m_tokens/${TOKEN_ID}/revoke`,
      `POST ${prefix}/m2m_tokens/verify`,
    ])
    expect(fake.requests.every((r) => r.headers['clerk-api-version'] === '2026-05-12')).toBe(true)
  })

  it('keeps a path prefix of apiUrl and ignores its trailing slash', async () => {
    fake.on('POST', '/proxy/clerk/m2m_tokens/verify', () => ({ body: wireToken() }))
    await client({ apiUrl: `${fake.url}/proxy/clerk/` }).verifyToken({ token: 'mt_x' })
    expect(fake.requests[0]?.path).toBe('/proxy/clerk/m2m_tokens/verify')
  })

  it('leaves no timer pending once a call has finished, so processes can exit', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    const fetch = async () => new Response(JSON.stringify(wireToken()), { status: 200 })
    const c = createM2MClient({ secretKey: SECRET, fetch, timeoutMs: 60_000 })
    const before = timers()
    await c.verifyToken({ token: 'mt_x' })
    await expect(c.verifyToken({ token: 'mt_x' }, { signal: AbortSignal.abort() })).rejects.toThrow()
    // <= rather than ===: an HTTP keep-alive timer of an earlier test may expire meanwhile.
    expect(timers()).toBeLessThanOrEqual(before)
  })
})
