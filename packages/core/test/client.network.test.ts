import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { createM2MClient, type M2MClientOptions, M2MNetworkError } from '../src/index.js'
import { apiFailure, failure } from './helpers/failures.js'
import { clerkErrorBody, type FakeClerk, startFakeClerk, TOKEN_ID } from './helpers/fake-clerk.js'

const SECRET = 'ak_test_network_super_secret_0123456789'
const fake: FakeClerk = await startFakeClerk()
afterAll(() => fake.close())
beforeEach(() => fake.reset())

function client(options: Partial<M2MClientOptions> = {}) {
  return createM2MClient({ secretKey: SECRET, apiUrl: fake.url, retry: false, ...options })
}

describe('network failures become M2MNetworkError', () => {
  it('an attempt that outlives timeoutMs fails with timedOut: true', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => ({ hang: true }))
    const error = await failure(client({ timeoutMs: 50 }).verifyToken({ token: 'mt_x' }))
    expect(error).toBeInstanceOf(M2MNetworkError)
    expect(error).toMatchObject({ code: 'm2m_network_error', timedOut: true })
    expect((error as Error).message).toContain('50 ms')
  })

  it('a body that stalls after the headers also times out', async () => {
    const server = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"id":') // never finished
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const error = await failure(client({ apiUrl: url, timeoutMs: 80 }).verifyToken({ token: 'mt_x' }))
      expect(error).toMatchObject({ timedOut: true })
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('a refused connection fails with timedOut: false and keeps the cause', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    await new Promise((resolve) => server.close(resolve))
    const error = await failure(client({ apiUrl: `http://127.0.0.1:${port}` }).verifyToken({ token: 'mt_x' }))
    expect(error).toBeInstanceOf(M2MNetworkError)
    expect(error).toMatchObject({ timedOut: false })
    expect((error as Error).cause).toBeDefined()
  })

  it('a connection reset before the answer fails with timedOut: false', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => ({ reset: true }))
    const error = await failure(client().verifyToken({ token: 'mt_x' }))
    expect(error).toBeInstanceOf(M2MNetworkError)
    expect(error).toMatchObject({ timedOut: false })
  })
})

describe('deadlineMs: one bound on a call, retries included', () => {
  it('cuts a hung attempt at the deadline when it comes before timeoutMs', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => ({ hang: true }))
    const started = performance.now()
    const error = await failure(
      client({ timeoutMs: 5000 }).verifyToken({ token: 'mt_x' }, { deadlineMs: 100 }),
    )
    expect(performance.now() - started).toBeLessThan(2000)
    expect(error).toMatchObject({ code: 'm2m_network_error', timedOut: true })
    expect((error as Error).message).toContain('100 ms')
  })

  it('starts no retry whose wait would end past it, and rejects with the last failure', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => ({
      status: 503,
      body: clerkErrorBody('unavailable', 'down'),
    }))
    const retry = { maxAttempts: 10, initialDelayMs: 150, maxDelayMs: 150, jitter: false }
    const error = await failure(client({ retry }).verifyToken({ token: 'mt_x' }, { deadlineMs: 400 }))
    expect(error).toMatchObject({ status: 503 })
    // Attempts at 0, 150 and 300 ms; a fourth would start at 450 ms, past the 400 ms deadline.
    expect(fake.requests.length).toBe(3)
  })

  it('refuses an unknown or misspelt call option before any request, with a suggestion', async () => {
    const error = await failure(
      client().verifyToken({ token: 'mt_x' }, { deadlineMS: 100 } as unknown as { deadlineMs: number }),
    )
    expect(error).toMatchObject({ code: 'm2m_invalid_parameter', parameter: 'deadlineMS' })
    expect((error as Error).message).toContain('did you mean `deadlineMs`')
    expect(fake.requests).toHaveLength(0)
  })

  it('is checked like every call option', async () => {
    for (const deadlineMs of [0, -1, Number.NaN, '100']) {
      const error = await failure(
        client().verifyToken({ token: 'mt_x' }, { deadlineMs: deadlineMs as number }),
      )
      expect(error).toMatchObject({ code: 'm2m_invalid_parameter', parameter: 'deadlineMs' })
    }
    expect(fake.requests).toHaveLength(0)
  })
})

describe('caller abort', () => {
  it('rejects with the signal reason, not a network error, and does not retry', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => ({ hang: true }))
    const controller = new AbortController()
    const pending = failure(
      client({ retry: {} }).verifyToken({ token: 'mt_x' }, { signal: controller.signal }),
    )
    await expect.poll(() => fake.requests.length).toBe(1)
    controller.abort()
    const error = await pending
    expect(error).toBeInstanceOf(DOMException)
    expect((error as DOMException).name).toBe('AbortError')
    expect(fake.requests).toHaveLength(1)
  })

  it('an already aborted signal makes no request and rejects with its own reason', async () => {
    const reason = new Error('shutting down')
    const error = await failure(
      client().verifyToken({ token: 'mt_x' }, { signal: AbortSignal.abort(reason) }),
    )
    expect(error).toBe(reason)
    expect(fake.requests).toHaveLength(0)
  })

  it('aborting during the wait between retries ends the wait at once', async () => {
    fake.on('POST', '/m2m_tokens/verify', () => ({ status: 503, body: clerkErrorBody('down', 'down') }))
    const controller = new AbortController()
    const slowRetry = { initialDelayMs: 60_000, maxDelayMs: 60_000, maxElapsedMs: 120_000, jitter: false }
    const c = client({ retry: slowRetry })
    const pending = failure(c.verifyToken({ token: 'mt_x' }, { signal: controller.signal }))
    await expect.poll(() => fake.requests.length).toBe(1)
    controller.abort(new Error('user cancelled'))
    expect(((await pending) as Error).message).toBe('user cancelled')
    expect(fake.requests).toHaveLength(1)
  })
})

describe('secrets stay out of errors', () => {
  const token = 'mt_this_is_the_secret_opaque_token_value'
  const leaks = (error: unknown) => {
    const e = error as Error & { errors?: unknown }
    const text = [e.message, String(e.stack), JSON.stringify(e), JSON.stringify(e.errors ?? null)].join('\n')
    return text.includes(SECRET) || text.includes(token)
  }

  it.each([400, 401, 404, 500])(
    'an HTTP %i body that echoes the key and the token is redacted',
    async (status) => {
      fake.on('POST', '/m2m_tokens/verify', (r) => ({
        status,
        body: {
          errors: [
            {
              message: `bad key ${r.headers.authorization}`,
              long_message: `body was ${r.body}`,
              code: 'echo',
              meta: {
                header: r.headers.authorization,
                nested: [{ token: (r.json as { token: string }).token }],
              },
            },
          ],
        },
      }))
      const error = await apiFailure(client().verifyToken({ token }))
      expect(leaks(error)).toBe(false)
      expect(error.errors[0]?.message).toBe('bad key Bearer [redacted]')
    },
  )

  it('network errors and malformed answers never carry the key or the token', async () => {
    fake.on('POST', '/m2m_tokens/verify', (r) => ({
      rawBody: `not json ${r.headers.authorization} ${r.body}`,
    }))
    expect(leaks(await failure(client().verifyToken({ token })))).toBe(false)
    fake.on('POST', '/m2m_tokens/verify', () => ({ hang: true }))
    expect(leaks(await failure(client({ timeoutMs: 30 }).verifyToken({ token })))).toBe(false)
    const refused = createM2MClient({ secretKey: SECRET, apiUrl: 'http://127.0.0.1:1', retry: false })
    expect(leaks(await failure(refused.revokeToken({ m2mTokenId: TOKEN_ID })))).toBe(false)
  })
})
