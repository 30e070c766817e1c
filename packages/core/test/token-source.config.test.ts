/**
 * Startup configuration of the calling side: environment defaults (`resolveTokenSourceOptions`) and
 * the eager option checks of `createTokenSource`, whose errors name the option and the variable and
 * never the key. No network: every case fails before a request could be made.
 */
import { describe, expect, it } from 'vitest'
import {
  createTokenSource,
  M2MConfigError,
  resolveTokenSourceOptions,
  TOKEN_SOURCE_OPTION_KEYS,
  type TokenSourceOptions,
} from '../src/index.js'

const MACHINE_KEY = 'ak_machine_key_from_env_0123'
const noFetch = () => Promise.reject(new Error('no request expected'))

function configError(build: () => unknown): M2MConfigError {
  try {
    build()
  } catch (error) {
    expect(error).toBeInstanceOf(M2MConfigError)
    return error as M2MConfigError
  }
  throw new Error('expected an M2MConfigError')
}

const build = (options: Record<string, unknown>) => () =>
  createTokenSource({ secretKey: MACHINE_KEY, fetch: noFetch, ...options } as TokenSourceOptions)

describe('resolveTokenSourceOptions', () => {
  it('takes the key from CLERK_MACHINE_SECRET_KEY and the URL from CLERK_API_URL', () => {
    const env = { CLERK_MACHINE_SECRET_KEY: MACHINE_KEY, CLERK_API_URL: 'http://127.0.0.1:4000' }
    expect(resolveTokenSourceOptions({}, env)).toEqual({
      secretKey: MACHINE_KEY,
      apiUrl: 'http://127.0.0.1:4000',
    })
    expect(resolveTokenSourceOptions({ secretKey: 'ak_explicit' }, env).secretKey).toBe('ak_explicit')
  })

  it('does not fall back to the instance key: it cannot create tokens', () => {
    const error = configError(() => resolveTokenSourceOptions(undefined, { CLERK_SECRET_KEY: 'sk_test_abc' }))
    expect(error.option).toBe('secretKey')
    expect(error.message).toMatch(/CLERK_MACHINE_SECRET_KEY/)
    expect(error.message).not.toContain('sk_test_abc')
  })

  it('treats an empty variable as unset', () => {
    expect(() => resolveTokenSourceOptions({}, { CLERK_MACHINE_SECRET_KEY: ' ' })).toThrow(M2MConfigError)
  })
})

describe('createTokenSource checks its options at startup', () => {
  it('refuses a missing key, naming the option and the variable', () => {
    const error = configError(() => createTokenSource({} as TokenSourceOptions))
    expect(error.option).toBe('secretKey')
    expect(error.message).toMatch(/CLERK_MACHINE_SECRET_KEY/)
  })

  it('refuses the instance Secret Key without echoing it', () => {
    const error = configError(build({ secretKey: 'sk_live_very_secret_value' }))
    expect(error.option).toBe('secretKey')
    expect(error.message).toMatch(/instance Secret Key \(sk_\.\.\.\), which cannot create M2M tokens/)
    expect(error.message).toMatch(/CLERK_MACHINE_SECRET_KEY/)
    expect(error.message).not.toContain('very_secret_value')
  })

  it('refuses a key that is not a Machine Secret Key', () => {
    expect(configError(build({ secretKey: 'mt_0123' })).option).toBe('secretKey')
    expect(configError(build({ secretKey: 'ak_with space' })).option).toBe('secretKey')
  })

  it('refuses an unknown option, naming it', () => {
    const error = configError(build({ refreshBeforeMS: 1000 }))
    expect(error.option).toBe('refreshBeforeMS')
    expect(error.message).toMatch(/Unknown option `refreshBeforeMS` \(did you mean `refreshBeforeMs`\?\)/)
  })

  it('accepts every documented option', () => {
    const options = {
      secretKey: MACHINE_KEY,
      apiUrl: 'http://127.0.0.1:1',
      apiVersion: '2026-05-12',
      pathStyle: 'v1',
      secondsUntilExpiration: 600,
      tokenFormat: 'jwt',
      claims: { app: 'orders' },
      minRemainingTtlSeconds: 60,
      refreshBeforeMs: 60_000,
      hardRefreshBeforeMs: 10_000,
      timeoutMs: 1000,
      retry: false,
      fetch: noFetch,
      now: Date.now,
      onEvent: () => undefined,
      logger: console,
    } satisfies Required<TokenSourceOptions>
    expect(Object.keys(options).sort()).toEqual([...TOKEN_SOURCE_OPTION_KEYS].sort())
    expect(() => createTokenSource(options)).not.toThrow()
  })

  it.each([
    ['secondsUntilExpiration', { secondsUntilExpiration: 0 }],
    ['refreshBeforeMs', { refreshBeforeMs: -1 }],
    ['hardRefreshBeforeMs', { refreshBeforeMs: 1000, hardRefreshBeforeMs: 2000 }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['tokenFormat', { tokenFormat: 'paseto' }],
    ['minRemainingTtlSeconds', { secondsUntilExpiration: 60, minRemainingTtlSeconds: 60 }],
    ['claims', { claims: { n: 1n } }],
    ['retry', { retry: 3 }],
    ['retry.maxAttempts', { retry: { maxAttempts: 0 } }],
    ['apiUrl', { apiUrl: 'not a url' }],
    ['fetch', { fetch: 'fetch' }],
    ['now', { now: 0 }],
    ['onEvent', { onEvent: {} }],
    ['logger', { logger: { log: () => undefined } }],
  ])('names %s when it is invalid', (option, options) => {
    expect(configError(build(options)).option).toBe(option)
  })
})
