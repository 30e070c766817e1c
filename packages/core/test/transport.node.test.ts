/**
 * The transport seam on Node: without a `fetch` option the client talks to the token service
 * through undici's global dispatcher (package.json `imports`, `#transport` -> transport.node.ts),
 * and a given `fetch` always wins. Loopback fake of Clerk; undici's MockAgent with net connect
 * disabled for the global-dispatcher case.
 */
import { Dispatcher, getGlobalDispatcher, MockAgent, setGlobalDispatcher } from 'undici'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defaultExchange } from '#transport'
import { createM2MClient, createVerifier, M2MApiError, M2MNetworkError } from '../src/index.js'
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

  it('reads a body that arrives in many chunks, multi-byte characters and a byte order mark included', async () => {
    fake = await startFakeClerk()
    // About 300 KB of claims: many socket reads, with 3-byte characters across the chunk borders.
    const claims = { note: '\u20ac'.repeat(100_000) }
    const body = JSON.stringify(wireToken({ claims, expiration: Date.now() + 3600_000 }))
    fake.on('POST', '/m2m_tokens/verify', () => ({ status: 200, rawBody: `\uFEFF${body}` }))
    const client = createM2MClient({ secretKey: KEY, apiUrl: fake.url })
    await expect(client.verifyToken({ token: TOKEN })).resolves.toMatchObject({ claims })
  })

  it('reads response headers case-insensitively (Retry-After, CF-Ray of an error answer)', async () => {
    fake = await startFakeClerk()
    fake.on('POST', '/m2m_tokens/verify', () => ({
      status: 429,
      headers: { 'Retry-After': '7', 'CF-Ray': 'ray-123' },
      body: { errors: [{ code: 'too_many_requests', message: 'slow down' }] },
    }))
    const client = createM2MClient({ secretKey: KEY, apiUrl: fake.url, retry: false })
    const error = await client.verifyToken({ token: TOKEN }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(M2MApiError)
    expect(error).toMatchObject({ status: 429, retryAfterMs: 7000, clerkTraceId: 'ray-123' })
  })

  it('goes through the global dispatcher, so an undici MockAgent set there answers', async () => {
    const previous = getGlobalDispatcher()
    const agent = new MockAgent()
    agent.disableNetConnect()
    const origin = 'http://clerk.invalid'
    let seen: { path: string; body: unknown } | undefined
    agent
      .get(origin)
      .intercept({ path: '/v1/m2m_tokens/verify', method: 'POST' })
      .reply(({ path, body }) => {
        seen = { path, body: JSON.parse(String(body)) }
        return { statusCode: 200, data: wireToken({ expiration: Date.now() + 3600_000 }) }
      })
    setGlobalDispatcher(agent)
    try {
      const client = createM2MClient({ secretKey: KEY, apiUrl: origin, pathStyle: 'v1' })
      await expect(client.verifyToken({ token: TOKEN })).resolves.toMatchObject({ id: wireToken().id })
      expect(seen).toEqual({ path: '/v1/m2m_tokens/verify', body: { token: TOKEN } })
    } finally {
      setGlobalDispatcher(previous)
      await agent.close()
    }
  })

  it('settles at the timeout even when the dispatcher never answers nor stops the request', async () => {
    const previous = getGlobalDispatcher()
    // A dispatcher that takes the request and never calls its handler again (nor lets it abort).
    class Deaf extends Dispatcher {
      override dispatch(): boolean {
        return true
      }
    }
    setGlobalDispatcher(new Deaf())
    try {
      const client = createM2MClient({
        secretKey: KEY,
        apiUrl: 'http://clerk.invalid',
        timeoutMs: 100,
        retry: false,
      })
      const started = performance.now()
      const error = await client.verifyToken({ token: TOKEN }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(M2MNetworkError)
      expect(error).toMatchObject({ timedOut: true })
      expect(performance.now() - started).toBeLessThan(5_000)
    } finally {
      setGlobalDispatcher(previous)
    }
  })

  it('uses a given fetch instead of undici', async () => {
    const server = await fakeVerify()
    const given = vi.fn((input: string | URL | Request, init?: RequestInit) => fetch(input, init))
    const client = createM2MClient({ secretKey: KEY, apiUrl: server.url, fetch: given })
    await client.verifyToken({ token: TOKEN })
    expect(given).toHaveBeenCalledTimes(1)
  })
})
