/**
 * Startup configuration: environment defaults for adapters (`resolveVerifierOptions`) and the eager,
 * once-only option checks of `createVerifier`, whose errors name the option and never the secret.
 */
import { describe, expect, it } from 'vitest'
import { createVerifier, M2MConfigError, resolveVerifierOptions, type VerifierOptions } from '../src/index.js'

const MACHINE_KEY = 'ak_machine_key_from_env'
const INSTANCE_KEY = 'sk_test_instance_key_from_env'

describe('resolveVerifierOptions', () => {
  it('prefers the secretKey option over both environment variables', () => {
    const env = { CLERK_MACHINE_SECRET_KEY: MACHINE_KEY, CLERK_SECRET_KEY: INSTANCE_KEY }
    expect(resolveVerifierOptions({ secretKey: 'ak_explicit' }, env).secretKey).toBe('ak_explicit')
  })

  it('prefers CLERK_MACHINE_SECRET_KEY over CLERK_SECRET_KEY', () => {
    const env = { CLERK_MACHINE_SECRET_KEY: MACHINE_KEY, CLERK_SECRET_KEY: INSTANCE_KEY }
    expect(resolveVerifierOptions({}, env).secretKey).toBe(MACHINE_KEY)
  })

  it('falls back to CLERK_SECRET_KEY, treating an empty variable as unset', () => {
    const env = { CLERK_MACHINE_SECRET_KEY: '', CLERK_SECRET_KEY: INSTANCE_KEY }
    expect(resolveVerifierOptions(undefined, env).secretKey).toBe(INSTANCE_KEY)
  })

  it('takes apiUrl from the option, else CLERK_API_URL, else leaves it out', () => {
    const env = { CLERK_SECRET_KEY: INSTANCE_KEY, CLERK_API_URL: 'http://127.0.0.1:4000' }
    expect(resolveVerifierOptions({ apiUrl: 'http://127.0.0.1:5000' }, env).apiUrl).toBe(
      'http://127.0.0.1:5000',
    )
    expect(resolveVerifierOptions({}, env).apiUrl).toBe('http://127.0.0.1:4000')
    expect('apiUrl' in resolveVerifierOptions({}, { CLERK_SECRET_KEY: INSTANCE_KEY })).toBe(false)
  })

  it('keeps the other options untouched and does not modify the input', () => {
    const options: { machineId: string; scopes: string[]; secretKey?: string } = {
      machineId: 'mch_x',
      scopes: ['mch_y'],
    }
    const resolved = resolveVerifierOptions(options, { CLERK_SECRET_KEY: INSTANCE_KEY })
    expect(resolved).toEqual({ machineId: 'mch_x', scopes: ['mch_y'], secretKey: INSTANCE_KEY })
    expect(options).not.toHaveProperty('secretKey')
  })

  it('fails at startup without a key, naming the option and both variables', () => {
    let error: unknown
    try {
      resolveVerifierOptions({}, { CLERK_API_URL: 'http://127.0.0.1:1' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(M2MConfigError)
    expect((error as M2MConfigError).option).toBe('secretKey')
    const { message } = error as Error
    expect(message).toContain('secretKey')
    expect(message).toContain('CLERK_MACHINE_SECRET_KEY')
    expect(message).toContain('CLERK_SECRET_KEY')
  })
})

describe('createVerifier option checks', () => {
  const base: VerifierOptions = { secretKey: 'ak_valid_key_123', apiUrl: 'http://127.0.0.1:9' }

  const invalid: Array<[string, Partial<Record<keyof VerifierOptions, unknown>>]> = [
    ['secretKey', { secretKey: 'pk_test_publishable' }],
    ['secretKey', { secretKey: '' }],
    ['secretKey', { secretKey: 'sk_test_has a space' }],
    ['machineId', { machineId: 'machine_123' }],
    ['apiUrl', { apiUrl: 'not a url' }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['timeoutMs', { timeoutMs: Number.NaN }],
    ['cache.ttlMs', { cache: { ttlMs: 0 } }],
    ['cache.max', { cache: { max: 1.5 } }],
    ['cache.negativeMax', { cache: { negativeMax: 0 } }],
    ['cache.negativeTtlMs', { cache: { negativeTtlMs: -1 } }],
    ['cache.staleIfErrorMs', { cache: { staleIfErrorMs: -1 } }],
    ['cache.store', { cache: { store: { get() {} } } }],
    ['cache', { cache: true }],
    ['singleFlight', { singleFlight: 'yes' }],
    ['clockSkewMs', { clockSkewMs: -5 }],
    ['jwt.maxAgeMs', { jwt: { maxAgeMs: 0 } }],
    ['fetch', { fetch: 'fetch' }],
    ['now', { now: 123 }],
    ['onEvent', { onEvent: {} }],
    ['retry', { retry: 3 }],
  ]

  it.each(invalid)('rejects a bad %s with M2MConfigError naming it', (option, override) => {
    let error: unknown
    try {
      createVerifier({ ...base, ...override } as VerifierOptions)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(M2MConfigError)
    expect((error as M2MConfigError).option).toBe(option)
  })

  it('never shows the secret key in a configuration error', () => {
    const secretKey = 'sk_live_do not show me'
    expect(() => createVerifier({ ...base, secretKey })).toThrow(M2MConfigError)
    try {
      createVerifier({ ...base, secretKey })
    } catch (error) {
      expect((error as Error).message).not.toContain('do not show me')
    }
  })

  it('refuses explicit JWT options when no JWT key source exists (ak_ key, no jwtKey)', () => {
    expect(() => createVerifier({ ...base, jwt: {} })).toThrow(M2MConfigError)
  })

  it('accepts the documented key kinds and a machine id', () => {
    for (const secretKey of ['ak_abc', 'sk_test_abc', 'sk_live_abc']) {
      expect(() =>
        createVerifier({ ...base, secretKey, machineId: 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk' }),
      ).not.toThrow()
    }
  })

  it('checks options once, at build time: a built verifier only answers AuthErrors', async () => {
    const verifier = createVerifier(base)
    const error = await verifier.verify('not-a-token').catch((e: unknown) => e)
    expect(error).toMatchObject({ status: 401, code: 'invalid_token' })
  })
})
