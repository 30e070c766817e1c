import { describe, expect, it } from 'vitest'
import {
  authorizationFromRawHeaders,
  authorizationOf,
  checkScopes,
  MissingTokenError,
  parseBearer,
} from '../src/index.js'

describe('authorizationFromRawHeaders', () => {
  it('returns the only Authorization line as is, whatever the case of its name', () => {
    expect(authorizationFromRawHeaders(['Host', 'x', 'AUTHORIZATION', 'Bearer abc'])).toBe('Bearer abc')
  })

  it('returns undefined when there is no Authorization line', () => {
    expect(authorizationFromRawHeaders(['Host', 'x', 'Authorizations', 'Bearer abc'])).toBeUndefined()
  })

  it('joins repeated lines so that two credentials are refused as malformed (400)', () => {
    const joined = authorizationFromRawHeaders(['authorization', 'Bearer a', 'Authorization', 'Bearer b'])
    expect(joined).toBe('Bearer a, Bearer b')
    expect(() => parseBearer(joined)).toThrowError(expect.objectContaining({ status: 400 }))
  })
})

describe('checkScopes on a request that sent no credentials', () => {
  it('answers 401 (credentials required), not 403', () => {
    expect(() => checkScopes(null, ['mch_abc'])).toThrow(MissingTokenError)
  })
})

describe('authorizationOf: the raw header list when there is one, else the parsed headers', () => {
  it('reads the raw list first (repeated lines joined, so refused)', () => {
    const raw = ['Authorization', 'Bearer a', 'authorization', 'Bearer b']
    expect(authorizationOf(raw, { authorization: 'Bearer a' })).toBe('Bearer a, Bearer b')
  })

  it('falls back to parsed headers when the request has no raw list (serverless bridges, test helpers)', () => {
    expect(authorizationOf(undefined, { authorization: 'Bearer abc' })).toBe('Bearer abc')
    expect(authorizationOf([], { authorization: 'Bearer abc' })).toBe('Bearer abc')
    expect(authorizationOf([], {})).toBeUndefined()
    expect(authorizationOf(undefined, undefined)).toBeUndefined()
  })

  it('joins a parsed array, so two credentials are still refused (400)', () => {
    const joined = authorizationOf([], { authorization: ['Bearer a', 'Bearer b'] })
    expect(() => parseBearer(joined)).toThrowError(expect.objectContaining({ status: 400 }))
  })
})
