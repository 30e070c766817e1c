import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import {
  createM2MClient,
  type M2MClient,
  type M2MClientOptions,
  M2MConfigError,
  M2MError,
  M2MValidationError,
} from '../src/index.js'
import { type FakeClerk, MACHINE_A, startFakeClerk, TOKEN_ID, wireToken } from './helpers/fake-clerk.js'

const SECRET = 'ak_test_validation_secret_value_42'
const fake: FakeClerk = await startFakeClerk()
afterAll(() => fake.close())
beforeEach(() => {
  fake.reset()
  fake.on('POST', '/m2m_tokens', () => ({ status: 201, body: wireToken({ token: 'mt_new' }) }))
  fake.on('GET', '/m2m_tokens', () => ({ body: { m2m_tokens: [], total_count: 0 } }))
  fake.on('POST', '/m2m_tokens/:id/revoke', () => ({ body: wireToken({ revoked: true }) }))
  fake.on('POST', '/m2m_tokens/verify', () => ({ body: wireToken() }))
})

const client = createM2MClient({ secretKey: SECRET, apiUrl: 'http://127.0.0.1:1' })
function liveClient(): M2MClient {
  return createM2MClient({ secretKey: SECRET, apiUrl: fake.url })
}

type Call = (c: M2MClient) => Promise<unknown>
// Values go through `never` on purpose: these are the mistakes the types would reject.
const bad = (v: unknown) => v as never

const invalidCalls: Array<[string, string, Call]> = [
  ['list without params', 'params', (c) => c.listTokens(bad(undefined))],
  ['list without subject', 'subject', (c) => c.listTokens(bad({}))],
  ['list with a short machine id', 'subject', (c) => c.listTokens({ subject: 'mch_short' })],
  ['list with a user id', 'subject', (c) => c.listTokens({ subject: 'user_2xhFjEI5X2qWRvtV13BzSj8H6Dk' })],
  ['list with limit 0', 'limit', (c) => c.listTokens({ subject: MACHINE_A, limit: 0 })],
  ['list with limit 101', 'limit', (c) => c.listTokens({ subject: MACHINE_A, limit: 101 })],
  ['list with a fractional limit', 'limit', (c) => c.listTokens({ subject: MACHINE_A, limit: 1.5 })],
  ['list with a string limit', 'limit', (c) => c.listTokens({ subject: MACHINE_A, limit: bad('10') })],
  ['list with a negative offset', 'offset', (c) => c.listTokens({ subject: MACHINE_A, offset: -1 })],
  ['list with a fractional offset', 'offset', (c) => c.listTokens({ subject: MACHINE_A, offset: 0.5 })],
  ['list with revoked "yes"', 'revoked', (c) => c.listTokens({ subject: MACHINE_A, revoked: bad('yes') })],
  ['list with expired 1', 'expired', (c) => c.listTokens({ subject: MACHINE_A, expired: bad(1) })],
  ['revoke without id', 'm2mTokenId', (c) => c.revokeToken(bad({}))],
  ['revoke with a short id', 'm2mTokenId', (c) => c.revokeToken({ m2mTokenId: 'mt_abc' })],
  ['revoke with a non-hex id', 'm2mTokenId', (c) => c.revokeToken({ m2mTokenId: `mt_${'g'.repeat(32)}` })],
  ['revoke with a path in the id', 'm2mTokenId', (c) => c.revokeToken({ m2mTokenId: `${TOKEN_ID}/../x` })],
  [
    'revoke with a numeric reason',
    'revocationReason',
    (c) => c.revokeToken(bad({ m2mTokenId: TOKEN_ID, revocationReason: 5 })),
  ],
  ['verify with an empty token', 'token', (c) => c.verifyToken({ token: '' })],
  ['verify without token', 'token', (c) => c.verifyToken(bad({}))],
  ['verify with a numeric token', 'token', (c) => c.verifyToken(bad({ token: 42 }))],
  ['create with 0 seconds', 'secondsUntilExpiration', (c) => c.createToken({ secondsUntilExpiration: 0 })],
  [
    'create with negative seconds',
    'secondsUntilExpiration',
    (c) => c.createToken({ secondsUntilExpiration: -5 }),
  ],
  [
    'create with NaN seconds',
    'secondsUntilExpiration',
    (c) => c.createToken({ secondsUntilExpiration: Number.NaN }),
  ],
  [
    'create with string seconds',
    'secondsUntilExpiration',
    (c) => c.createToken(bad({ secondsUntilExpiration: '60' })),
  ],
  ['create with an unknown format', 'tokenFormat', (c) => c.createToken(bad({ tokenFormat: 'pem' }))],
  [
    'create with negative min TTL',
    'minRemainingTtlSeconds',
    (c) => c.createToken({ minRemainingTtlSeconds: -1 }),
  ],
  [
    'create with fractional min TTL',
    'minRemainingTtlSeconds',
    (c) => c.createToken({ minRemainingTtlSeconds: 1.5 }),
  ],
  [
    'create with min TTL not below the lifetime',
    'minRemainingTtlSeconds',
    (c) => c.createToken({ secondsUntilExpiration: 60, minRemainingTtlSeconds: 60 }),
  ],
  ['create with claims JSON cannot hold', 'claims', (c) => c.createToken({ claims: { n: 10n } })],
  ['an empty per-call secret key', 'secretKey', (c) => c.verifyToken({ token: 'mt_x' }, { secretKey: '' })],
  [
    'a per-call key with a line break',
    'secretKey',
    (c) => c.verifyToken({ token: 'x' }, { secretKey: `${SECRET}\n` }),
  ],
  [
    'per-call maxAttempts 0',
    'retry.maxAttempts',
    (c) => c.verifyToken({ token: 'x' }, { retry: { maxAttempts: 0 } }),
  ],
  [
    'per-call negative delay',
    'retry.initialDelayMs',
    (c) => c.verifyToken({ token: 'x' }, { retry: { initialDelayMs: -1 } }),
  ],
  [
    'per-call jitter "no"',
    'retry.jitter',
    (c) => c.verifyToken({ token: 'x' }, { retry: { jitter: bad('no') } }),
  ],
  ['a signal that is not one', 'signal', (c) => c.verifyToken({ token: 'x' }, { signal: bad('abort') })],
]

describe('invalid parameters are rejected before any request', () => {
  it.each(invalidCalls)('%s -> M2MValidationError naming %s', async (_, parameter, call) => {
    const error = await call(liveClient()).then(
      () => expect.fail('expected a validation error'),
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(M2MValidationError)
    expect(error).toBeInstanceOf(M2MError)
    expect(error).toMatchObject({ code: 'm2m_invalid_parameter', parameter })
    expect((error as Error).message).toContain(parameter.split('.').pop())
    expect((error as Error).message).not.toContain(SECRET)
    expect(fake.requests).toHaveLength(0)
  })

  it('names the rule for subject and m2mTokenId', async () => {
    await expect(client.listTokens({ subject: 'nope' })).rejects.toThrow(/subject must look like mch_/)
    await expect(client.revokeToken({ m2mTokenId: 'nope' })).rejects.toThrow(/m2mTokenId must look like mt_/)
  })

  it('boundary values are accepted and sent', async () => {
    const c = liveClient()
    await c.listTokens({ subject: MACHINE_A, limit: 1, offset: 0 })
    await c.listTokens({ subject: `mch_${'_'.repeat(27)}`, limit: 100 })
    await c.revokeToken({ m2mTokenId: TOKEN_ID.toUpperCase().replace('MT_', 'mt_'), revocationReason: null })
    await c.createToken({ secondsUntilExpiration: 0.5, minRemainingTtlSeconds: 0 })
    await c.createToken({ secondsUntilExpiration: null, minRemainingTtlSeconds: 3600, tokenFormat: 'jwt' })
    expect(fake.requests).toHaveLength(5)
  })
})

describe('createM2MClient checks its options once, when built', () => {
  const base: M2MClientOptions = { secretKey: SECRET }
  const cases: Array<[string, string, unknown]> = [
    ['no options', 'options', undefined],
    ['no secret key', 'secretKey', { secretKey: undefined }],
    ['an empty secret key', 'secretKey', { secretKey: '' }],
    ['a numeric secret key', 'secretKey', { secretKey: 42 }],
    ['a secret key with a space', 'secretKey', { secretKey: `${SECRET} x` }],
    ['apiUrl that is not a URL', 'apiUrl', { apiUrl: 'api.clerk.com' }],
    ['apiUrl with another scheme', 'apiUrl', { apiUrl: 'ftp://api.clerk.com' }],
    ['apiUrl with a query', 'apiUrl', { apiUrl: 'https://api.clerk.com/?x=1' }],
    ['apiUrl with credentials', 'apiUrl', { apiUrl: 'https://user:pw@api.clerk.com' }],
    ['an empty apiVersion', 'apiVersion', { apiVersion: '' }],
    ['an unknown pathStyle', 'pathStyle', { pathStyle: 'v2' }],
    ['timeoutMs 0', 'timeoutMs', { timeoutMs: 0 }],
    ['negative timeoutMs', 'timeoutMs', { timeoutMs: -1 }],
    ['infinite timeoutMs', 'timeoutMs', { timeoutMs: Number.POSITIVE_INFINITY }],
    ['timeoutMs beyond what timers hold', 'timeoutMs', { timeoutMs: 2 ** 31 }],
    ['retry maxAttempts 0', 'retry.maxAttempts', { retry: { maxAttempts: 0 } }],
    ['retry that is true', 'retry', { retry: true }],
    ['retry maxElapsedMs NaN', 'retry.maxElapsedMs', { retry: { maxElapsedMs: Number.NaN } }],
    ['fetch that is not a function', 'fetch', { fetch: 'fetch' }],
    ['now that is not a function', 'now', { now: 5 }],
    ['sleep that is not a function', 'sleep', { sleep: {} }],
  ]

  it.each(cases)('%s -> M2MConfigError naming %s', (_, option, overrides) => {
    const options = overrides === undefined ? undefined : { ...base, ...(overrides as object) }
    let error: unknown
    try {
      createM2MClient(options as M2MClientOptions)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(M2MConfigError)
    expect(error).toMatchObject({ code: 'm2m_config_error', option })
    expect((error as Error).message).not.toContain(SECRET)
  })

  it('accepts every option at a sensible value', () => {
    const client = createM2MClient({
      secretKey: SECRET,
      apiUrl: 'http://127.0.0.1:9',
      apiVersion: '2026-05-12',
      pathStyle: 'v1',
      timeoutMs: 1,
      retry: { maxAttempts: 1, initialDelayMs: 0, maxDelayMs: 0, maxElapsedMs: 0, jitter: false },
      fetch: async () => new Response('{}'),
      now: () => 0,
      sleep: async () => {},
      random: () => 0,
    })
    expect(Object.keys(client).sort()).toEqual(['createToken', 'listTokens', 'revokeToken', 'verifyToken'])
  })
})
