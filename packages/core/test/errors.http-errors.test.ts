/**
 * AuthError speaks the `http-errors` convention (status, statusCode, headers, expose), so error
 * handlers that know nothing of this library still send the RFC 6750 answer.
 */
import { describe, expect, it } from 'vitest'
import {
  AuthError,
  InsufficientScopeError,
  InvalidTokenError,
  MissingTokenError,
  ServerConfigError,
  TokenServiceUnavailableError,
  toErrorResponse,
} from '../src/index.js'

describe('AuthError as an http error', () => {
  it('carries status, statusCode, expose and the headers of its answer', () => {
    const error = new InvalidTokenError()
    expect(error.status).toBe(401)
    expect(error.statusCode).toBe(401)
    expect(error.expose).toBe(true)
    expect(error.headers).toEqual({
      'cache-control': 'no-store',
      'www-authenticate':
        'Bearer realm="api", error="invalid_token", error_description="The access token is invalid"',
    })
  })

  it('adds Retry-After to a 503, has no challenge there, and does not expose 5xx messages', () => {
    const error = new TokenServiceUnavailableError(3)
    expect(error.headers).toEqual({ 'cache-control': 'no-store', 'retry-after': '3' })
    expect(error.expose).toBe(false)
    expect(new ServerConfigError().expose).toBe(false)
  })

  it('withRealm() copies the error (same class) instead of changing one that may be shared', () => {
    const shared = new InsufficientScopeError(['mch_a'])
    const copy = shared.withRealm('orders')
    expect(copy).toBeInstanceOf(InsufficientScopeError)
    expect(copy).toBeInstanceOf(AuthError)
    expect(copy).not.toBe(shared)
    expect(copy.headers['www-authenticate']).toMatch(/^Bearer realm="orders", error="insufficient_scope"/)
    expect(shared.realm).toBe('api')
    expect(copy.message).toBe(shared.message)
    expect(copy.stack).toBe(shared.stack)
    expect(shared.withRealm('api')).toBe(shared)
  })

  it('toErrorResponse() renders the same headers plus the JSON content type', () => {
    const error = new MissingTokenError().withRealm('billing')
    const response = toErrorResponse(error)
    expect(response.headers).toEqual({ ...error.headers, 'content-type': 'application/json; charset=utf-8' })
    expect(toErrorResponse(error, { realm: 'other' }).headers['www-authenticate']).toBe(
      'Bearer realm="other"',
    )
  })
})
