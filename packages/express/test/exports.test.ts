import { describe, expect, it } from 'vitest'
import * as api from '../src/index.js'

describe('public exports of @m2m-auth/express', () => {
  it('are exactly these (a change here is a change of the public API)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'AuthError',
      'getM2MAuth',
      'm2mAuth',
      'requireM2M',
      'requireScopes',
      'toErrorResponse',
    ])
  })
})
