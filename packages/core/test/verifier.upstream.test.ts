/**
 * How the verifier turns each answer of the token service into an outcome (ARCHITECTURE.md,
 * "Contracts between the core modules"): invalid tokens are 401, our rejected key is 500, an outage
 * is 503 with Retry-After, never a 401. Runs against a loopback fake of Clerk.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  InvalidTokenError,
  ServerConfigError,
  TokenServiceUnavailableError,
  toErrorResponse,
} from '../src/index.js'
import { clerkErrorBody } from './helpers/fake-clerk.js'

/** A Clerk form-parameter error as the emulator and Clerk render it (`meta.param_name`). */
function paramErrorBody(code: string, param: string): Record<string, unknown> {
  return {
    errors: [
      { code, message: 'is invalid', long_message: `${param} is invalid`, meta: { param_name: param } },
    ],
  }
}

import {
  type Harness,
  harness,
  opaqueToken,
  RECEIVER,
  rejectionOf,
  SECRET_KEY,
  STRANGER,
  T0,
  VERIFY_PATH,
  validReply,
} from './verifier.fixtures.js'

const TOKEN = opaqueToken(7)

let h: Harness
afterEach(async () => {
  vi.restoreAllMocks()
  await h?.close()
})

describe('the verify call', () => {
  it('posts the token with our secret key to /m2m_tokens/verify and maps the answer', async () => {
    h = await harness()
    h.replies.set(TOKEN, validReply())
    const verified = await h.verifier.verify(TOKEN)
    const [request] = h.fake.requests
    expect(request?.path).toBe(VERIFY_PATH)
    expect(request?.headers.authorization).toBe(`Bearer ${SECRET_KEY}`)
    expect(request?.json).toEqual({ token: TOKEN })
    expect(verified).toEqual({
      tokenType: 'm2m_token',
      format: 'opaque',
      id: 'mt_f7f0ba8c3b4843ce7d85fcdd5e71853e',
      subject: 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk',
      machineId: 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk',
      scopes: [RECEIVER],
      claims: { important_metadata: 'Some useful data' },
      expiration: T0 + 3600_000,
      createdAt: T0 - 1000,
    })
    expect(JSON.stringify(verified)).not.toContain(TOKEN)
  })
})

describe('a 200 is not enough', () => {
  it.each([
    ['revoked', { revoked: true, revocation_reason: 'compromised' }],
    ['flagged expired', { expired: true }],
    ['past its expiration by our clock', { expiration: T0 }],
  ])('rejects a token that is %s with 401', async (_name, overrides) => {
    h = await harness()
    h.replies.set(TOKEN, validReply(overrides))
    const error = await rejectionOf(h.verifier.verify(TOKEN))
    expect(error).toBeInstanceOf(InvalidTokenError)
    expect(error.status).toBe(401)
  })

  it('rejects a token not scoped to machineId, and caches that "no"', async () => {
    h = await harness()
    h.replies.set(TOKEN, validReply({ scopes: [STRANGER] }))
    const error = await rejectionOf(h.verifier.verify(TOKEN))
    expect(error).toBeInstanceOf(InvalidTokenError)
    expect(error.message).toBe('The access token is invalid') // no oracle: as for an unknown token
    await h.verifier.verify(TOKEN).catch(() => undefined)
    // Events carry a token digest (WebCrypto, async): wait for it rather than race it.
    await vi.waitFor(() =>
      expect(h.events.find((e) => e.type === 'upstream')?.reason).toMatch(/scoped to other machines/),
    )
    expect(h.upstreamCount(TOKEN)).toBe(1)
  })

  it('accepts any scopes when no machineId is configured', async () => {
    h = await harness({ machineId: undefined })
    h.replies.set(TOKEN, validReply({ scopes: [STRANGER] }))
    await expect(h.verifier.verify(TOKEN)).resolves.toMatchObject({ scopes: [STRANGER] })
  })

  it('accepts a token that never expires (expiration null), cached for ttlMs', async () => {
    h = await harness({ cache: { ttlMs: 1000 } })
    h.replies.set(TOKEN, validReply({ expiration: null }))
    await expect(h.verifier.verify(TOKEN)).resolves.toMatchObject({ expiration: null })
    h.clock.now = T0 + 1000
    await h.verifier.verify(TOKEN)
    expect(h.upstreamCount(TOKEN)).toBe(2)
  })
})

describe('error mapping', () => {
  it.each([404, 410])('HTTP %i -> 401 invalid_token, cached as a negative', async (status) => {
    h = await harness()
    h.replies.set(TOKEN, { status, body: clerkErrorBody('resource_not_found', 'not found') })
    const error = await rejectionOf(h.verifier.verify(TOKEN))
    expect(error).toBeInstanceOf(InvalidTokenError)
    expect(h.verifier.stats().negativeSize).toBe(1)
  })

  it.each([
    [400, 'form_param_format_invalid'],
    [400, 'form_param_value_invalid'],
    [422, 'form_param_format_invalid'],
  ])('HTTP %i %s about the token parameter -> 401 invalid_token, cached', async (status, code) => {
    h = await harness()
    h.replies.set(TOKEN, { status, body: paramErrorBody(code, 'token') })
    const error = await rejectionOf(h.verifier.verify(TOKEN))
    expect(error).toBeInstanceOf(InvalidTokenError)
    expect(h.verifier.stats().negativeSize).toBe(1)
  })

  it.each([
    ['an unknown parameter', 400, paramErrorBody('form_param_unknown', 'scopes')],
    ['a missing field', 400, paramErrorBody('form_param_missing', 'token')],
    ['a bad value of another parameter', 400, paramErrorBody('form_param_value_invalid', 'format')],
    ['an unreadable body', 400, clerkErrorBody('request_body_invalid', 'Request body invalid')],
    ['an unsupported API version', 400, clerkErrorBody('api_version_invalid', 'Invalid API version')],
    ['no error items', 400, { errors: [] }],
    ['a 405', 405, clerkErrorBody('method_not_allowed', 'no')],
    ['a 409', 409, clerkErrorBody('duplicate_record', 'duplicate')],
  ])(
    'a 4xx about our request (%s) -> 500 server_error, logged once, never cached',
    async (_n, status, body) => {
      const lines: string[] = []
      const logger = { warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) }
      h = await harness({ logger })
      h.replies.set(TOKEN, { status, body })
      for (let i = 0; i < 3; i++) {
        const error = await rejectionOf(h.verifier.verify(TOKEN))
        expect(error).toBeInstanceOf(ServerConfigError)
        expect(toErrorResponse(error).status).toBe(500)
      }
      expect(h.upstreamCount(TOKEN)).toBe(3)
      expect(h.verifier.stats().negativeSize).toBe(0)
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/refused the verification request/)
      expect(lines[0]).not.toContain(TOKEN)
      expect(lines[0]).not.toContain(SECRET_KEY)
    },
  )

  it('429 -> 503 with the Retry-After the token service sent', async () => {
    h = await harness({ retry: undefined })
    h.replies.set(TOKEN, {
      status: 429,
      headers: { 'retry-after': '7' },
      body: clerkErrorBody('rate', 'slow'),
    })
    const error = await rejectionOf(h.verifier.verify(TOKEN))
    expect(error).toBeInstanceOf(TokenServiceUnavailableError)
    expect(error.retryAfterSeconds).toBe(7)
    const response = toErrorResponse(error)
    expect(response.status).toBe(503)
    expect(response.headers['retry-after']).toBe('7')
    expect(response.headers['www-authenticate']).toBeUndefined()
    // Waiting 7 s exceeds the verifier's time budget: no retry.
    expect(h.upstreamCount(TOKEN)).toBe(1)
  })

  it.each([429, 500, 502, 503, 504])('HTTP %i without Retry-After -> 503, Retry-After 1', async (status) => {
    h = await harness()
    h.replies.set(TOKEN, { status, rawBody: '<html>bad gateway</html>' })
    const error = await rejectionOf(h.verifier.verify(TOKEN))
    expect(error).toBeInstanceOf(TokenServiceUnavailableError)
    expect(error.retryAfterSeconds).toBe(1)
  })

  it('an unreadable 200 -> 503, not 401', async () => {
    h = await harness()
    h.replies.set(TOKEN, { status: 200, rawBody: 'not json' })
    expect(await rejectionOf(h.verifier.verify(TOKEN))).toBeInstanceOf(TokenServiceUnavailableError)
  })

  it('a connection reset -> 503', async () => {
    h = await harness()
    h.replies.set(TOKEN, { reset: true })
    expect(await rejectionOf(h.verifier.verify(TOKEN))).toBeInstanceOf(TokenServiceUnavailableError)
  })

  it('a token service that never answers -> 503 within the time budget', async () => {
    h = await harness({ timeoutMs: 200, retry: undefined })
    h.replies.set(TOKEN, { hang: true })
    const started = performance.now()
    const error = await rejectionOf(h.verifier.verify(TOKEN))
    expect(error).toBeInstanceOf(TokenServiceUnavailableError)
    expect(error.message).toMatch(/did not answer in time/)
    expect(performance.now() - started).toBeLessThan(3000) // generous: a shared 2-core machine
  })

  it('retries one transient failure by default', async () => {
    h = await harness({ retry: undefined })
    h.fake.sequence('POST', VERIFY_PATH, [{ status: 502 }, validReply()])
    await expect(h.verifier.verify(TOKEN)).resolves.toMatchObject({ format: 'opaque' })
    expect(h.upstreamCount()).toBe(2)
  })

  it.each([401, 403])(
    'HTTP %i (our key rejected) -> 500, logged loudly once, without the key',
    async (status) => {
      const log = vi.spyOn(console, 'error').mockImplementation(() => undefined)
      h = await harness()
      h.replies.set(TOKEN, { status, body: clerkErrorBody('authentication_invalid', 'bad key') })
      const error = await rejectionOf(h.verifier.verify(TOKEN))
      expect(error).toBeInstanceOf(ServerConfigError)
      expect(toErrorResponse(error).status).toBe(500)
      await h.verifier.verify(TOKEN).catch(() => undefined)
      expect(h.upstreamCount(TOKEN)).toBe(2) // not cached
      expect(log).toHaveBeenCalledTimes(1)
      const line = String(log.mock.calls[0]?.[0])
      expect(line).toMatch(/secret key/)
      expect(line).not.toContain(SECRET_KEY)
      expect(line).not.toContain(TOKEN)
    },
  )

  it('never puts the token into an error, whatever the outcome', async () => {
    h = await harness()
    const outcomes = [
      { status: 404, body: clerkErrorBody('not_found', `no token ${TOKEN}`) },
      { status: 503, body: clerkErrorBody('down', `cannot verify ${TOKEN}`) },
      validReply({ revoked: true }),
    ]
    for (const reply of outcomes) {
      h.replies.set(TOKEN, reply)
      await h.verifier.invalidate(TOKEN)
      const error = await rejectionOf(h.verifier.verify(TOKEN))
      const rendered = JSON.stringify(toErrorResponse(error))
      expect(`${error.message} ${String(error.description)} ${rendered}`).not.toContain(TOKEN)
    }
  })
})

describe('tokens that cannot be M2M tokens', () => {
  const notM2M = [
    '',
    'oat_2xhFjEI5X2qWRvtV13BzSj8H6Dk',
    'ak_2xhFjEI5X2qWRvtV13BzSj8H6Dk',
    'sk_test_abcdefghijklmnop',
    'mt_',
    'mt_short',
    'mt_has-a-dash-0123456789',
    'mt_under_score_0123456789',
    `mt_${'a'.repeat(126)}`,
    'MT_0123456789abcdef0123456789abcdef',
    'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEyMyJ9.c2lnbmF0dXJl', // sub user_123: a session JWT
    'eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2lnbmF0dXJl', // payload is not JSON
    'a.b',
    'x'.repeat(10_000),
  ]

  it('are rejected with 401 without any upstream call (and never cached)', async () => {
    h = await harness()
    for (const token of notM2M) {
      const error = await rejectionOf(h.verifier.verify(token))
      expect(error).toBeInstanceOf(InvalidTokenError)
    }
    expect(h.fake.requests).toHaveLength(0)
    expect(h.verifier.stats()).toMatchObject({ upstreamCalls: 0, misses: 0, negativeSize: 0, size: 0 })
  })
})
