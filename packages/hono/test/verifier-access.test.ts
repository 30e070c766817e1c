import type { M2MError } from '@m2m-auth/core'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { m2mAuth } from '../src/index.js'

const secretKey = 'ak_test_0123456789abcdefHonoVerifierAccess'

describe('the verifier behind m2mAuth()', () => {
  it('is the one built at registration when the key is known then', () => {
    const auth = m2mAuth({ secretKey, apiUrl: 'http://127.0.0.1:9' })
    expect(auth.verifier).toBe(auth.verifier)
    expect(auth.verifier.stats().upstreamCalls).toBe(0)
  })

  it('is refused with a pointer to verifierFor(c) when the key only comes with request bindings', async () => {
    const auth = m2mAuth()
    expect(() => auth.verifier).toThrowError(
      expect.objectContaining({ code: 'm2m_verifier_unavailable' }) as M2MError,
    )
    const app = new Hono<{ Bindings: Record<string, string> }>().get('/', (c) =>
      c.json({ upstreamCalls: auth.verifierFor(c).stats().upstreamCalls }),
    )
    const response = await app.request('/', {}, { CLERK_MACHINE_SECRET_KEY: secretKey })
    expect(await response.json()).toEqual({ upstreamCalls: 0 })
  })
})
