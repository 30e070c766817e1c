import {
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  MissingTokenError,
  ServerConfigError,
  TokenServiceUnavailableError,
  toErrorResponse,
} from '@m2m-auth/core'
import { describe, expect, it } from 'vitest'
import { FastifyM2MError } from '../src/index.js'

describe('FastifyM2MError', () => {
  it.each([
    [new MissingTokenError(), 'FST_M2M_UNAUTHORIZED', 401],
    [new InvalidRequestError('bad header'), 'FST_M2M_INVALID_REQUEST', 400],
    [new InvalidTokenError(), 'FST_M2M_INVALID_TOKEN', 401],
    [new InsufficientScopeError(['mch_a']), 'FST_M2M_INSUFFICIENT_SCOPE', 403],
    [new TokenServiceUnavailableError(3), 'FST_M2M_UNAVAILABLE', 503],
    [new ServerConfigError(), 'FST_M2M_SERVER_ERROR', 500],
  ])('maps %o to a Fastify-style code and the answer core renders for it', (cause, code, status) => {
    const error = new FastifyM2MError(cause, 'orders')
    const expected = toErrorResponse(cause, { realm: 'orders' })
    expect(error).toMatchObject({ code, statusCode: status, headers: expected.headers, body: expected.body })
    expect(error.message).toBe(expected.body.error_description)
    expect(error.cause).toBe(cause)
  })

  it('turns an unexpected error into a 500 that says nothing about it', () => {
    const error = new FastifyM2MError(new TypeError('secret detail'), 'api')
    expect(error.code).toBe('FST_M2M_SERVER_ERROR')
    expect(error.statusCode).toBe(500)
    expect(JSON.stringify(error.body)).not.toContain('secret detail')
  })
})
