import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { createM2MClient, type M2MClientOptions, M2MError } from '../src/index.js'
import { apiFailure } from './helpers/failures.js'
import { clerkErrorBody, type FakeClerk, MACHINE_A, startFakeClerk, wireToken } from './helpers/fake-clerk.js'

const SECRET = 'ak_test_errors_super_secret_0123456789'
const fake: FakeClerk = await startFakeClerk()
afterAll(() => fake.close())
beforeEach(() => fake.reset())

function client(options: Partial<M2MClientOptions> = {}) {
  return createM2MClient({ secretKey: SECRET, apiUrl: fake.url, retry: false, ...options })
}

describe('documented error statuses become M2MApiError', () => {
  it.each([400, 401, 403, 404, 409, 429, 500])(
    'HTTP %i keeps status, camelCased errors and trace id',
    async (status) => {
      fake.on('POST', '/m2m_tokens/verify', () => ({
        status,
        body: {
          errors: [
            { message: 'm', long_message: 'long m', code: `code_${status}`, meta: { param_name: 'token' } },
          ],
          meta: {},
          clerk_trace_id: `trace-${status}`,
        },
      }))
      const error = await apiFailure(client().verifyToken({ token: 'mt_x' }))
      expect(error).toBeInstanceOf(M2MError)
      expect(error.code).toBe('m2m_api_error')
      expect(error.status).toBe(status)
      expect(error.errors).toEqual([
        { message: 'm', longMessage: 'long m', code: `code_${status}`, meta: { param_name: 'token' } },
      ])
      expect(error.clerkTraceId).toBe(`trace-${status}`)
      expect(error.malformedResponse).toBe(false)
      expect(error.message).toContain(String(status))
    },
  )

  it('takes the trace id from the CF-Ray header when the body has none', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => ({
      status: 404,
      headers: { 'cf-ray': '8f1a2b3c4d5e6f70-FRA' },
      body: clerkErrorBody('token_not_found', 'Not found'),
    }))
    const error = await apiFailure(client().verifyToken({ token: 'mt_x' }))
    expect(error.clerkTraceId).toBe('8f1a2b3c4d5e6f70-FRA')
  })

  it('prefers the body trace id over CF-Ray, and has none when neither is sent', async () => {
    fake.sequence('POST', '/m2m_tokens/verify', [
      { status: 404, headers: { 'cf-ray': 'ray' }, body: clerkErrorBody('x', 'x', 'body-trace') },
      { status: 404, body: clerkErrorBody('x', 'x') },
    ])
    expect((await apiFailure(client().verifyToken({ token: 'mt_x' }))).clerkTraceId).toBe('body-trace')
    expect((await apiFailure(client().verifyToken({ token: 'mt_x' }))).clerkTraceId).toBeUndefined()
  })

  it('reads Retry-After in seconds as retryAfterMs', async () => {
    fake.on('GET', '/m2m_tokens', () => ({
      status: 429,
      headers: { 'retry-after': '7' },
      body: clerkErrorBody('too_many_requests', 'Too many requests'),
    }))
    const error = await apiFailure(client().listTokens({ subject: MACHINE_A }))
    expect(error.retryAfterMs).toBe(7000)
  })

  it('reads Retry-After as an HTTP date relative to the injected clock', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    fake.on('GET', '/m2m_tokens', () => ({
      status: 503,
      headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' },
      body: clerkErrorBody('unavailable', 'Unavailable'),
    }))
    const error = await apiFailure(client({ now: () => now }).listTokens({ subject: MACHINE_A }))
    expect(error.retryAfterMs).toBe(30_000)
  })

  it('ignores an unreadable Retry-After', async () => {
    fake.on('GET', '/m2m_tokens', () => ({ status: 429, headers: { 'retry-after': 'soon' }, body: {} }))
    expect((await apiFailure(client().listTokens({ subject: MACHINE_A }))).retryAfterMs).toBeUndefined()
  })

  it.each([
    ['an HTML page', { rawBody: '<html>Bad gateway</html>', headers: { 'content-type': 'text/html' } }],
    ['an empty body', { rawBody: '' }],
    ['JSON without errors[]', { body: { message: 'nope' } }],
    ['errors[] of the wrong shape', { body: { errors: [{ msg: 'x' }, 'y'] } }],
  ])('a non-2xx answer with %s still yields an M2MApiError with a synthetic item', async (_, reply) => {
    fake.on('POST', '/m2m_tokens/verify', () => ({ status: 502, ...reply }))
    const error = await apiFailure(client().verifyToken({ token: 'mt_x' }))
    expect(error.status).toBe(502)
    expect(error.errors).toHaveLength(1)
    expect(error.errors[0]?.code).toBe('unexpected_response')
    expect(error.malformedResponse).toBe(false)
  })
})

describe('unreadable 2xx answers', () => {
  it('a 200 that is not JSON is an M2MApiError flagged malformedResponse, not retried', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => ({ status: 200, rawBody: 'OK', headers: { 'cf-ray': 'r1' } }))
    const error = await apiFailure(client({ retry: {} }).verifyToken({ token: 'mt_x' }))
    expect(error).toMatchObject({ status: 200, malformedResponse: true, clerkTraceId: 'r1' })
    expect(error.errors[0]?.code).toBe('malformed_response')
    expect(fake.requests).toHaveLength(1)
  })

  it.each([
    ['scopes is not an array of strings', { scopes: 'mch_x' }],
    ['scopes holds a number', { scopes: [1] }],
    ['revoked is a string', { revoked: 'false' }],
    ['expired is missing', { expired: undefined }],
    ['expiration is a string', { expiration: '1716883200000' }],
    ['created_at is missing', { created_at: undefined }],
    ['id is empty', { id: '' }],
    ['subject is null', { subject: null }],
    ['object is another type', { object: 'oauth_token' }],
    ['last_used_at is a string', { last_used_at: 'yesterday' }],
  ])('a token object whose %s is malformed', async (_, overrides) => {
    fake.on('POST', '/m2m_tokens/verify', () => ({ body: wireToken(overrides) }))
    const error = await apiFailure(client().verifyToken({ token: 'mt_x' }))
    expect(error.malformedResponse).toBe(true)
    expect(error.errors[0]?.longMessage).toMatch(/must be/)
  })

  it('an answer to create without the secret token is malformed', async () => {
    fake.on('POST', '/m2m_tokens', () => ({ status: 201, body: wireToken() }))
    const error = await apiFailure(client().createToken())
    expect(error).toMatchObject({ status: 201, malformedResponse: true })
    expect(error.errors[0]?.longMessage).toBe('token must be a non-empty string')
  })

  it('a list whose item is malformed names the item, and a missing total_count is malformed', async () => {
    fake.sequence('GET', '/m2m_tokens', [
      { body: { m2m_tokens: [wireToken(), wireToken({ revoked: 1 })], total_count: 2 } },
      { body: { m2m_tokens: [] } },
    ])
    const first = await apiFailure(client().listTokens({ subject: MACHINE_A }))
    expect(first.errors[0]?.longMessage).toBe('m2m_tokens[1].revoked must be a boolean')
    const second = await apiFailure(client().listTokens({ subject: MACHINE_A }))
    expect(second.errors[0]?.longMessage).toMatch(/^total_count/)
  })
})
