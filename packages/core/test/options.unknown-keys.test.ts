/**
 * Unknown options are refused when a client, verifier or adapter is built: a misspelt key must
 * never silently turn a check off. The error names the key and suggests the known one it is close to.
 */
import { describe, expect, it } from 'vitest'
import {
  createM2MClient,
  createVerifier,
  M2MConfigError,
  resolveAdapterOptions,
  suggestKey,
} from '../src/index.js'

const KEY = 'ak_test_0123456789abcdefOptionsKey'

function configError(build: () => unknown): M2MConfigError {
  try {
    build()
  } catch (error) {
    if (error instanceof M2MConfigError) return error
    throw error
  }
  throw new Error('expected an M2MConfigError')
}

describe('createVerifier refuses unknown keys, nested ones included', () => {
  it.each([
    ['secretkey', { secretkey: KEY }, 'secretkey', '`secretKey`'],
    ['timeout', { timeout: 100 }, 'timeout', '`timeoutMs`'],
    ['cache.ttl', { cache: { ttl: 100 } }, 'cache.ttl', '`cache.ttlMs`'],
    ['cache.maxx', { cache: { maxx: 10 } }, 'cache.maxx', '`cache.max`'],
    ['jwt.maxAge', { jwt: { maxAge: 1000 } }, 'jwt.maxAge', '`jwt.maxAgeMs`'],
    ['retry.attempts', { retry: { maxAttempt: 2 } }, 'retry.maxAttempt', '`retry.maxAttempts`'],
  ])('%s', (_name, extra, option, suggestion) => {
    const error = configError(() => createVerifier({ secretKey: KEY, ...extra } as never))
    expect(error.option).toBe(option)
    expect(error.message).toContain(`Unknown option \`${option}\``)
    expect(error.message).toContain(`did you mean ${suggestion}?`)
  })

  it('names a key far from every known one without a guess', () => {
    const error = configError(() => createVerifier({ secretKey: KEY, colour: 'blue' } as never))
    expect(error.option).toBe('colour')
    expect(error.message).toBe('Unknown option `colour`')
  })

  it('refuses a misspelt key even when its value is undefined', () => {
    expect(configError(() => createVerifier({ secretKey: KEY, machineID: undefined } as never)).option).toBe(
      'machineID',
    )
  })

  it('never repeats the secret key in the message', () => {
    const error = configError(() => createVerifier({ secretKey: KEY, secretkey: KEY } as never))
    expect(error.message).not.toContain(KEY)
  })
})

describe('createM2MClient refuses unknown keys', () => {
  it.each([
    ['timeout', { timeout: 1 }, '`timeoutMs`'],
    ['apiURL', { apiURL: 'http://127.0.0.1:1' }, '`apiUrl`'],
    ['retry.jiter', { retry: { jiter: true } }, '`retry.jitter`'],
  ])('%s', (option, extra, suggestion) => {
    const error = configError(() => createM2MClient({ secretKey: KEY, ...extra } as never))
    expect(error.option).toBe(option)
    expect(error.message).toContain(`did you mean ${suggestion}?`)
  })
})

describe('adapter options', () => {
  it('suggests scope for scopes, the spelling every adapter shares', () => {
    const error = configError(() => resolveAdapterOptions({ scopes: ['mch_a'] } as never, 'express'))
    expect(error.option).toBe('scopes')
    expect(error.message).toContain('did you mean `scope`?')
  })

  it("accepts an adapter's own keys only in that adapter", () => {
    expect(() => resolveAdapterOptions({ errorHandling: 'next' } as never, 'express')).not.toThrow()
    expect(configError(() => resolveAdapterOptions({ errorHandling: 'next' } as never, 'hono')).option).toBe(
      'errorHandling',
    )
  })

  it('refuses verifier options next to a ready verifier', () => {
    const verifier = createVerifier({ secretKey: KEY })
    const error = configError(() => resolveAdapterOptions({ verifier, timeoutMs: 5 }, 'fastify'))
    expect(error.option).toBe('timeoutMs')
    expect(error.message).toContain('cannot be given next to `verifier`')
    expect(() =>
      resolveAdapterOptions({ verifier, logger: console, scope: 'mch_a' }, 'fastify'),
    ).not.toThrow()
  })

  it.each([
    ['scope', { scope: 42 }],
    ['scope', { scope: ['mch_a', ''] }],
    ['callers', { callers: [] }],
    ['callers', { callers: { id: 'mch_a' } }],
    ['authorize', { authorize: true }],
    ['optional', { optional: 'yes' }],
    ['realm', { realm: 'a"b' }],
    ['logger', { logger: { log() {} } }],
    ['verifier', { verifier: {} }],
  ])('checks the value of %s', (option, options) => {
    expect(configError(() => resolveAdapterOptions(options as never, 'hono')).option).toBe(option)
  })
})

describe('suggestKey', () => {
  it('finds case slips, a missing unit, one-letter typos and swaps, and stays quiet otherwise', () => {
    const known = ['secretKey', 'ttlMs', 'scope', 'callers', 'realm']
    expect(suggestKey('secretkey', known)).toBe('secretKey')
    expect(suggestKey('ttl', known)).toBe('ttlMs')
    expect(suggestKey('scopes', known)).toBe('scope')
    expect(suggestKey('caller', known)).toBe('callers')
    expect(suggestKey('relam', known)).toBe('realm')
    expect(suggestKey('banana', known)).toBeUndefined()
  })
})
