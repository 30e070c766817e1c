/**
 * The transport seam on Node: without a `fetch` option the client talks to the token service
 * through undici's `request` (package.json `imports`, `#transport` -> transport.node.ts), and a
 * given `fetch` always wins. Loopback fake of Clerk.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defaultExchange } from '#transport'
import { createM2MClient, createVerifier } from '../src/index.js'
import { type FakeClerk, startFakeClerk, wireToken } from './helpers/fake-clerk.js'

const KEY = 'ak_test_0123456789abcdefTransport'
const TOKEN = `mt_${'a'.repeat(32)}`

let fake: FakeClerk | undefined
afterEach(async () => {
  vi.unstubAllGlobals()
  await fake?.close()
  fake = undefined
})

async function fakeVerify(): Promise<FakeClerk> {
  fake = await startFakeClerk()
  const body = wireToken({ expiration: Date.now() + 3600_000 })
  fake.on('POST', '/m2m_tokens/verify', () => ({ status: 200, body }))
  return fake
}

describe('transport on Node', () => {
  it('selects the undici variant of #transport', () => {
    expect(defaultExchange()).toBeTypeOf('function')
  })

  it('verifies through undici, not through the global fetch, when no fetch option is given', async () => {
    const server = await fakeVerify()
    const globalFetch = vi.fn(() => Promise.reject(new Error('global fetch must not be used')))
    vi.stubGlobal('fetch', globalFetch)
    const client = createM2MClient({ secretKey: KEY, apiUrl: server.url })
    await expect(client.verifyToken({ token: TOKEN })).resolves.toMatchObject({ id: wireToken().id })
    expect(globalFetch).not.toHaveBeenCalled()
    const [request] = server.requests
    expect(request?.headers).toMatchObject({
      authorization: `Bearer ${KEY}`,
      'content-type': 'application/json',
      'clerk-api-version': expect.any(String),
    })
    expect(request?.json).toEqual({ token: TOKEN })
  })

  it('verifies through undici in createVerifier too, when no fetch option is given', async () => {
    const server = await fakeVerify()
    const globalFetch = vi.fn(() => Promise.reject(new Error('global fetch must not be used')))
    vi.stubGlobal('fetch', globalFetch)
    const verifier = createVerifier({ secretKey: KEY, apiUrl: server.url, retry: false })
    await expect(verifier.verify(TOKEN)).resolves.toMatchObject({ id: wireToken().id })
    expect(globalFetch).not.toHaveBeenCalled()
  })

  it('uses a given fetch instead of undici', async () => {
    const server = await fakeVerify()
    const given = vi.fn((input: string | URL | Request, init?: RequestInit) => fetch(input, init))
    const client = createM2MClient({ secretKey: KEY, apiUrl: server.url, fetch: given })
    await client.verifyToken({ token: TOKEN })
    expect(given).toHaveBeenCalledTimes(1)
  })
})
