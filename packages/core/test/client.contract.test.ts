/**
 * Keeps the client and the fake honest against Clerk's OpenAPI subset: what the fake answers must
 * be a valid Clerk answer, and what the client sends must be a valid Clerk request.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { type CreateTokenParams, createM2MClient } from '../src/index.js'
import {
  clerkErrorBody,
  type FakeClerk,
  MACHINE_A,
  MACHINE_B,
  startFakeClerk,
  TOKEN_ID,
  wireToken,
} from './helpers/fake-clerk.js'
import { defaultOpenApi, validateQuery, validateRequestBody, validateResponse } from './helpers/openapi.js'

const fake: FakeClerk = await startFakeClerk()
afterAll(() => fake.close())
beforeEach(() => fake.reset())

describe("the fake's example answers match the contract", () => {
  it.each([
    ['POST', '/v1/m2m_tokens', 201, wireToken({ token: 'mt_secret' })],
    ['POST', '/m2m_tokens', 201, wireToken({ token: 'mt_secret', claims: null, expiration: null })],
    [
      'GET',
      '/v1/m2m_tokens',
      200,
      { m2m_tokens: [wireToken(), wireToken({ revoked: true })], total_count: 2 },
    ],
    ['POST', `/v1/m2m_tokens/${TOKEN_ID}/revoke`, 200, wireToken({ revoked: true, revocation_reason: 'r' })],
    ['POST', '/m2m_tokens/verify', 200, wireToken({ scopes: [MACHINE_A, MACHINE_B] })],
    ['POST', '/m2m_tokens', 400, clerkErrorBody('form_param_invalid', 'Invalid')],
    ['POST', '/m2m_tokens', 409, clerkErrorBody('conflict', 'Conflict')],
    ['GET', '/m2m_tokens', 403, clerkErrorBody('forbidden', 'Forbidden')],
    ['POST', `/m2m_tokens/${TOKEN_ID}/revoke`, 404, clerkErrorBody('resource_not_found', 'Not found')],
    ['POST', '/m2m_tokens/verify', 404, clerkErrorBody('token_not_found', 'Not found', 'trace')],
  ] as const)('%s %s %i', (method, path, status, body) => {
    expect(validateResponse(method, path, status, body).errors).toEqual([])
  })

  it('error bodies for statuses the subset leaves out (401, 429, 500) match ClerkErrors', () => {
    const api = defaultOpenApi()
    for (const code of ['authentication_invalid', 'too_many_requests', 'internal_clerk_error']) {
      expect(api.validateSchema('ClerkErrors', clerkErrorBody(code, code, 'trace')).errors).toEqual([])
    }
  })
})

describe('the validators can fail', () => {
  it.each([
    ['a token object without id', { ...wireToken(), id: undefined }],
    ['a malformed token id', wireToken({ id: 'mt_123' })],
    ['a scope that is not a machine', wireToken({ scopes: ['user_2xhFjEI5X2qWRvtV13BzSj8H6Dk'] })],
    ['revoked as a string', wireToken({ revoked: 'true' })],
    ['an extra field', wireToken({ secret: 'x' })],
    ['the secret token on verify', wireToken({ token: 'mt_secret' })],
  ])('rejects %s', (_, body) => {
    const clean = JSON.parse(JSON.stringify(body))
    expect(validateResponse('POST', '/m2m_tokens/verify', 200, clean).valid).toBe(false)
  })

  it('rejects create bodies the API would refuse', () => {
    expect(validateRequestBody('POST', '/m2m_tokens', { seconds_until_expiration: 0 }).valid).toBe(false)
    expect(validateRequestBody('POST', '/m2m_tokens', { token_format: 'pem' }).valid).toBe(false)
    expect(validateRequestBody('POST', '/m2m_tokens', { secondsUntilExpiration: 60 }).valid).toBe(false)
    expect(validateRequestBody('POST', '/m2m_tokens/verify', {}).valid).toBe(false)
  })

  it('accepts the nullable fields as null (OpenAPI 3.0 nullable translated)', () => {
    const body = { seconds_until_expiration: null, claims: null }
    expect(validateRequestBody('POST', '/m2m_tokens', body).errors).toEqual([])
    expect(
      validateRequestBody('POST', `/m2m_tokens/${TOKEN_ID}/revoke`, { revocation_reason: null }).errors,
    ).toEqual([])
  })

  it('rejects list queries the API would refuse', () => {
    expect(validateQuery('GET', '/m2m_tokens', { subject: MACHINE_A, limit: '0' }).valid).toBe(false)
    expect(validateQuery('GET', '/m2m_tokens', { limit: '5' }).valid).toBe(false)
    expect(validateQuery('GET', '/m2m_tokens', { subject: MACHINE_A, totalCount: '1' }).valid).toBe(false)
  })
})

describe("the client's requests match the contract", () => {
  const createCases: CreateTokenParams[] = [
    {},
    { secondsUntilExpiration: 3600 },
    { secondsUntilExpiration: null, claims: null },
    { claims: { role: 'reader', nested: { list: [1, 2] } }, tokenFormat: 'jwt' },
    { tokenFormat: 'opaque', secondsUntilExpiration: 600, minRemainingTtlSeconds: 240 },
  ]

  it.each(createCases)('create body %j', async (params) => {
    fake.on('POST', '/v1/m2m_tokens', () => ({ status: 201, body: wireToken({ token: 'mt_secret' }) }))
    await createM2MClient({ secretKey: 'ak_x', apiUrl: fake.url, pathStyle: 'v1' }).createToken(params)
    const [request] = fake.requests
    expect(validateRequestBody('POST', request!.path, request!.json).errors).toEqual([])
  })

  it('revoke and verify bodies, and list queries', async () => {
    fake.on('POST', '/m2m_tokens/:id/revoke', () => ({ body: wireToken({ revoked: true }) }))
    fake.on('POST', '/m2m_tokens/verify', () => ({ body: wireToken() }))
    fake.on('GET', '/m2m_tokens', () => ({ body: { m2m_tokens: [], total_count: 0 } }))
    const client = createM2MClient({ secretKey: 'ak_x', apiUrl: fake.url })
    await client.revokeToken({ m2mTokenId: TOKEN_ID })
    await client.revokeToken({ m2mTokenId: TOKEN_ID, revocationReason: 'rotated' })
    await client.verifyToken({ token: 'mt_abc' })
    await client.listTokens({ subject: MACHINE_A })
    await client.listTokens({ subject: MACHINE_A, revoked: true, expired: false, limit: 100, offset: 20 })
    for (const request of fake.requests) {
      const result =
        request.method === 'GET'
          ? validateQuery('GET', request.path, request.query)
          : validateRequestBody('POST', request.path, request.json)
      expect(result.errors, `${request.method} ${request.path}`).toEqual([])
    }
    expect(fake.requests).toHaveLength(5)
  })
})
