import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { createM2MClient, M2MApiError, type M2MClientOptions, M2MNetworkError } from '../src/index.js'
import {
  clerkErrorBody,
  type FakeClerk,
  type FakeReply,
  MACHINE_A,
  startFakeClerk,
  TOKEN_ID,
  wireToken,
} from './helpers/fake-clerk.js'

const fake: FakeClerk = await startFakeClerk()
afterAll(() => fake.close())
beforeEach(() => fake.reset())

/** A fake clock: `sleep` records the delay and moves `now` forward instead of waiting. */
function fakeClock(startMs = 1_700_000_000_000) {
  let nowMs = startMs
  const delays: number[] = []
  return {
    delays,
    now: () => nowMs,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw signal.reason
      delays.push(ms)
      nowMs += ms
    },
  }
}

function setup(options: Partial<M2MClientOptions> = {}) {
  const clock = fakeClock()
  const client = createM2MClient({
    secretKey: 'ak_test_retry',
    apiUrl: fake.url,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    ...options,
  })
  return { client, delays: clock.delays }
}

const unavailable: FakeReply = { status: 503, body: clerkErrorBody('service_unavailable', 'down') }
const ok: FakeReply = { status: 200, body: wireToken() }

describe('which failures are retried', () => {
  it.each([429, 500, 502, 503, 504])(
    'verify retries HTTP %i and returns the later success',
    async (status) => {
      fake.sequence('POST', '/m2m_tokens/verify', [{ status, body: clerkErrorBody('x', 'x') }, ok])
      const { client, delays } = setup()
      await expect(client.verifyToken({ token: 'mt_x' })).resolves.toMatchObject({ id: TOKEN_ID })
      expect(fake.requests).toHaveLength(2)
      expect(delays).toHaveLength(1)
    },
  )

  it('retryRateLimited: false answers a 429 at once (no wait for its Retry-After, no second attempt)', async () => {
    const limited: FakeReply = {
      status: 429,
      body: clerkErrorBody('too_many', 'slow down'),
      headers: { 'retry-after': '1' },
    }
    fake.sequence('POST', '/m2m_tokens/verify', [limited, ok])
    const { client, delays } = setup({ retry: { retryRateLimited: false } })
    await expect(client.verifyToken({ token: 'mt_x' })).rejects.toMatchObject({
      status: 429,
      retryAfterMs: 1000,
    })
    expect(fake.requests).toHaveLength(1)
    expect(delays).toEqual([])
  })

  it.each([400, 401, 403, 404, 409, 422, 501])(
    'HTTP %i is answered at once, never retried',
    async (status) => {
      fake.on('POST', '/m2m_tokens/verify', () => ({ status, body: clerkErrorBody('x', 'x') }))
      const { client, delays } = setup()
      await expect(client.verifyToken({ token: 'mt_x' })).rejects.toMatchObject({ status })
      expect(fake.requests).toHaveLength(1)
      expect(delays).toEqual([])
    },
  )

  it('a connection reset is retried', async () => {
    fake.sequence('POST', '/m2m_tokens/verify', [{ reset: true }, ok])
    const { client } = setup()
    await expect(client.verifyToken({ token: 'mt_x' })).resolves.toMatchObject({ id: TOKEN_ID })
    expect(fake.requests).toHaveLength(2)
  })

  it('a timed-out attempt is retried with a fresh timeout', async () => {
    fake.sequence('POST', '/m2m_tokens/verify', [{ hang: true }, ok])
    const { client } = setup({ timeoutMs: 100 })
    await expect(client.verifyToken({ token: 'mt_x' })).resolves.toMatchObject({ id: TOKEN_ID })
    expect(fake.requests).toHaveLength(2)
  })

  it('list and revoke retry by default too', async () => {
    fake.sequence('GET', '/m2m_tokens', [unavailable, { body: { m2m_tokens: [], total_count: 0 } }])
    fake.sequence('POST', '/m2m_tokens/:id/revoke', [unavailable, ok])
    const { client } = setup()
    await client.listTokens({ subject: MACHINE_A })
    await client.revokeToken({ m2mTokenId: TOKEN_ID })
    expect(fake.requests).toHaveLength(4)
  })
})

describe('attempt and time bounds', () => {
  it('gives up after maxAttempts (3 by default) with the last error', async () => {
    fake.sequence('POST', '/m2m_tokens/verify', [
      { status: 500, body: clerkErrorBody('first', 'x') },
      { status: 502, body: clerkErrorBody('second', 'x') },
      { status: 503, body: clerkErrorBody('third', 'x') },
    ])
    const { client, delays } = setup()
    await expect(client.verifyToken({ token: 'mt_x' })).rejects.toMatchObject({ errors: [{ code: 'third' }] })
    expect(fake.requests).toHaveLength(3)
    expect(delays).toHaveLength(2)
  })

  it('gives up after maxAttempts network failures with the last M2MNetworkError', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => ({ reset: true }))
    const { client } = setup({ retry: { maxAttempts: 2 } })
    await expect(client.verifyToken({ token: 'mt_x' })).rejects.toBeInstanceOf(M2MNetworkError)
    expect(fake.requests).toHaveLength(2)
  })

  it('starts no retry past maxElapsedMs', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => unavailable)
    const retry = {
      maxAttempts: 10,
      initialDelayMs: 1000,
      maxDelayMs: 10_000,
      maxElapsedMs: 2500,
      jitter: false,
    }
    const { client, delays } = setup({ retry })
    await expect(client.verifyToken({ token: 'mt_x' })).rejects.toMatchObject({ status: 503 })
    // 0 + 1000 fits; 1000 + 2000 would end past 2500.
    expect(delays).toEqual([1000])
    expect(fake.requests).toHaveLength(2)
  })
})

describe('backoff', () => {
  it('doubles from initialDelayMs and caps at maxDelayMs without jitter', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => unavailable)
    const retry = {
      maxAttempts: 6,
      initialDelayMs: 100,
      maxDelayMs: 1000,
      maxElapsedMs: 60_000,
      jitter: false,
    }
    const { client, delays } = setup({ retry })
    await expect(client.verifyToken({ token: 'mt_x' })).rejects.toBeInstanceOf(M2MApiError)
    expect(delays).toEqual([100, 200, 400, 800, 1000])
  })

  it.each([
    [0, [0, 0, 0, 0]],
    [0.5, [50, 100, 200, 250]],
    [0.999, [99, 199, 399, 499]],
  ])('full jitter with random() = %f waits random x ceiling', async (r, expected) => {
    fake.on('POST', '/m2m_tokens/verify', () => unavailable)
    const retry = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 500, maxElapsedMs: 60_000 }
    const { client, delays } = setup({ retry, random: () => r })
    await expect(client.verifyToken({ token: 'mt_x' })).rejects.toBeInstanceOf(M2MApiError)
    expect(delays).toEqual(expected)
  })

  it('with the default random source, every delay stays within [0, ceiling]', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => unavailable)
    const retry = { maxAttempts: 8, initialDelayMs: 100, maxDelayMs: 800, maxElapsedMs: 60_000 }
    const { client, delays } = setup({ retry, random: Math.random })
    await expect(client.verifyToken({ token: 'mt_x' })).rejects.toBeInstanceOf(M2MApiError)
    const ceilings = [100, 200, 400, 800, 800, 800, 800]
    expect(delays).toHaveLength(7)
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(0)
      expect(d).toBeLessThanOrEqual(ceilings[i]!)
    })
  })
})

describe('Retry-After', () => {
  it('waits what Retry-After says instead of the backoff, even above maxDelayMs', async () => {
    fake.sequence('POST', '/m2m_tokens/verify', [
      {
        status: 429,
        headers: { 'retry-after': '3' },
        body: clerkErrorBody('too_many_requests', 'slow down'),
      },
      ok,
    ])
    const { client, delays } = setup({ retry: { maxDelayMs: 500 } })
    await client.verifyToken({ token: 'mt_x' })
    expect(delays).toEqual([3000])
  })

  it('gives up at once when Retry-After exceeds the elapsed budget, exposing retryAfterMs', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => ({
      status: 429,
      headers: { 'retry-after': '60' },
      body: clerkErrorBody('too_many_requests', 'slow down'),
    }))
    const { client, delays } = setup()
    await expect(client.verifyToken({ token: 'mt_x' })).rejects.toMatchObject({
      status: 429,
      retryAfterMs: 60_000,
    })
    expect(delays).toEqual([])
    expect(fake.requests).toHaveLength(1)
  })
})

describe('retry configuration', () => {
  it('create is not retried by default: a retried create could mint two tokens', async () => {
    fake.on('POST', '/m2m_tokens', () => unavailable)
    const { client } = setup({ retry: { maxAttempts: 5 } })
    await expect(client.createToken()).rejects.toMatchObject({ status: 503 })
    expect(fake.requests).toHaveLength(1)
  })

  it('create retries when the call passes retry options', async () => {
    fake.sequence('POST', '/m2m_tokens', [
      unavailable,
      unavailable,
      { status: 201, body: wireToken({ token: 't' }) },
    ])
    const { client } = setup()
    await expect(client.createToken({}, { retry: {} })).resolves.toMatchObject({ token: 't' })
    expect(fake.requests).toHaveLength(3)
  })

  it('retry: false on a call turns retries off for that call only', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => unavailable)
    const { client } = setup()
    await expect(client.verifyToken({ token: 'mt_x' }, { retry: false })).rejects.toBeInstanceOf(M2MApiError)
    expect(fake.requests).toHaveLength(1)
    await expect(client.verifyToken({ token: 'mt_x' })).rejects.toBeInstanceOf(M2MApiError)
    expect(fake.requests).toHaveLength(4)
  })

  it('retry: false on the client turns retries off unless a call asks for them', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => unavailable)
    const { client } = setup({ retry: false })
    await expect(client.verifyToken({ token: 'mt_x' })).rejects.toBeInstanceOf(M2MApiError)
    expect(fake.requests).toHaveLength(1)
    await expect(client.verifyToken({ token: 'mt_x' }, { retry: { maxAttempts: 2 } })).rejects.toThrow()
    expect(fake.requests).toHaveLength(3)
  })

  it('per-call options are merged over the client options', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => unavailable)
    const { client, delays } = setup({ retry: { maxAttempts: 4, initialDelayMs: 10, jitter: false } })
    await expect(client.verifyToken({ token: 'mt_x' }, { retry: { initialDelayMs: 30 } })).rejects.toThrow()
    expect(delays).toEqual([30, 60, 120])
  })
})
