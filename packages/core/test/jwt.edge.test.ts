/**
 * Runs in the edge-runtime project (no Node globals): local verification with a configured PEM
 * key must work with Web APIs alone.
 */
import { exportSPKI, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { InvalidTokenError } from '../src/http/errors.js'
import { createJwtVerifier } from '../src/verify/jwt.js'

const SENDER = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'
const RECEIVER = 'mch_2yReceiverAAAAAAAAAAAAAAAA'

async function setup() {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  const nowMs = Date.UTC(2026, 2, 1)
  let fetchCalls = 0
  const verify = createJwtVerifier({
    apiUrl: 'https://api.clerk.com',
    secretKey: 'ak_machine_secret',
    jwtKey: await exportSPKI(publicKey),
    fetch: async () => {
      fetchCalls += 1
      throw new Error('no network expected')
    },
    timeoutMs: 1000,
    clockSkewMs: 5000,
    now: () => nowMs,
    machineId: RECEIVER,
  })
  const sign = (payload: Record<string, unknown>) =>
    new SignJWT({
      sub: SENDER,
      jti: 'mt_edge',
      iat: nowMs / 1000,
      exp: nowMs / 1000 + 60,
      scopes: RECEIVER,
      ...payload,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'ins_edge', cat: 'cl_B7d4PD333AAA' })
      .sign(privateKey)
  return { verify, sign, fetchCalls: () => fetchCalls }
}

describe('JWT verification on an edge runtime', () => {
  it('verifies a token with jwtKey and keeps its custom claims, without network', async () => {
    const { verify, sign, fetchCalls } = await setup()
    const result = await verify(await sign({ plan: 'pro' }))
    expect(result).toMatchObject({ format: 'jwt', id: 'mt_edge', subject: SENDER, claims: { plan: 'pro' } })
    expect(fetchCalls()).toBe(0)
  })

  it('rejects a token scoped to another machine', async () => {
    const { verify, sign } = await setup()
    await expect(verify(await sign({ scopes: SENDER }))).rejects.toBeInstanceOf(InvalidTokenError)
  })
})
