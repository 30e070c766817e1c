/** checkScopes: every required machine must be among the token's scopes; 403 names them. */
import { describe, expect, it } from 'vitest'
import { checkScopes, InsufficientScopeError, toErrorResponse, type VerifiedM2MToken } from '../src/index.js'

const A = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'
const B = 'mch_2yGkLpQ7Y3rXSwtU24CzTk9I7Em'
const token: VerifiedM2MToken = {
  tokenType: 'm2m_token',
  format: 'opaque',
  id: 'mt_f7f0ba8c3b4843ce7d85fcdd5e71853e',
  subject: A,
  machineId: A,
  scopes: [A, B],
  claims: null,
  expiration: null,
  createdAt: 0,
}

describe('checkScopes', () => {
  it('passes when every required scope is granted, and when none is required', () => {
    expect(() => checkScopes(token, [A, B])).not.toThrow()
    expect(() => checkScopes(token, [B])).not.toThrow()
    expect(() => checkScopes(token, [])).not.toThrow()
  })

  it('answers 403 insufficient_scope naming all required scopes when one is missing', () => {
    const missing = 'mch_2zMissingDDDDDDDDDDDDDDDDD'
    let error: unknown
    try {
      checkScopes(token, [A, missing])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InsufficientScopeError)
    const response = toErrorResponse(error, { realm: 'api' })
    expect(response.status).toBe(403)
    expect(response.headers['www-authenticate']).toContain(`scope="${A} ${missing}"`)
  })

  it('does not accept a prefix of a granted scope', () => {
    expect(() => checkScopes(token, [A.slice(0, 10)])).toThrow(InsufficientScopeError)
  })
})
