/**
 * Runs in vitest's edge-runtime environment (project core-edge), whose `Request`, `Response` and
 * `Headers` are the edge runtime's. The transport is a plain function answering Web `Response`s
 * (no Node `http`, no socket), which shows the client needs nothing but Web APIs.
 */
import { describe, expect, it } from 'vitest'
import { createM2MClient, type FetchLike, M2MApiError, M2MNetworkError } from '../src/index.js'

const MACHINE = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'
const TOKEN_ID = 'mt_f7f0ba8c3b4843ce7d85fcdd5e71853e'

const tokenObject = {
  object: 'machine_to_machine_token',
  id: TOKEN_ID,
  subject: MACHINE,
  claims: null,
  scopes: [MACHINE],
  revoked: false,
  revocation_reason: null,
  expired: false,
  expiration: null,
  last_used_at: null,
  created_at: 1716879600000,
  updated_at: 1716879600000,
}

interface Seen {
  url: string
  method: string
  headers: Headers
  body: string
}

/** A fetch answering from `answer`, recording what it was asked. */
function webFetch(answer: (seen: Seen) => Response | Promise<Response>) {
  const seen: Seen[] = []
  const fetch: FetchLike = async (input, init) => {
    const request = new Request(input, init)
    const entry = {
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: await request.text(),
    }
    seen.push(entry)
    return answer(entry)
  }
  return { fetch, seen }
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

describe('the client on an edge runtime', () => {
  it('verifies a token through an injected fetch answering Web Responses', async () => {
    const { fetch, seen } = webFetch(() => json(tokenObject))
    const client = createM2MClient({ secretKey: 'ak_edge', apiUrl: 'https://api.example.test/', fetch })
    const token = await client.verifyToken({ token: 'mt_edge_token' })
    expect(token).toMatchObject({ id: TOKEN_ID, subject: MACHINE, scopes: [MACHINE], expiration: null })
    expect(seen[0]).toMatchObject({ url: 'https://api.example.test/m2m_tokens/verify', method: 'POST' })
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer ak_edge')
    expect(seen[0]?.headers.get('clerk-api-version')).toBe('2026-05-12')
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ token: 'mt_edge_token' })
  })

  it('lists tokens with query params under /v1', async () => {
    const { fetch, seen } = webFetch(() => json({ m2m_tokens: [tokenObject], total_count: 1 }))
    const client = createM2MClient({
      secretKey: 'ak_edge',
      apiUrl: 'https://api.example.test',
      pathStyle: 'v1',
      fetch,
    })
    const list = await client.listTokens({ subject: MACHINE, limit: 5 })
    expect(list.totalCount).toBe(1)
    expect(list.data[0]?.id).toBe(TOKEN_ID)
    expect(seen[0]?.url).toBe(`https://api.example.test/v1/m2m_tokens?subject=${MACHINE}&limit=5`)
  })

  it('turns an error status into M2MApiError and retries a 503', async () => {
    let calls = 0
    const { fetch } = webFetch(() =>
      ++calls === 1
        ? json({ errors: [{ message: 'down', long_message: 'down', code: 'unavailable' }] }, 503)
        : json({ errors: [{ message: 'nope', long_message: 'nope', code: 'token_not_found' }] }, 404, {
            'cf-ray': 'ray-1',
          }),
    )
    const client = createM2MClient({ secretKey: 'ak_edge', fetch, sleep: async () => {} })
    const error = await client.verifyToken({ token: 'mt_x' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(M2MApiError)
    expect(error).toMatchObject({ status: 404, clerkTraceId: 'ray-1', errors: [{ code: 'token_not_found' }] })
    expect(calls).toBe(2)
  })

  it('times out a fetch that never settles, even one that ignores its signal', async () => {
    const { fetch } = webFetch(() => new Promise<Response>(() => {}))
    const client = createM2MClient({ secretKey: 'ak_edge', fetch, timeoutMs: 20, retry: false })
    const error = await client.verifyToken({ token: 'mt_x' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(M2MNetworkError)
    expect(error).toMatchObject({ timedOut: true })
  })

  it("passes the caller's abort signal through to fetch", async () => {
    const controller = new AbortController()
    const fetch: FetchLike = (_, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason))
        controller.abort(new Error('caller gave up'))
      })
    const client = createM2MClient({ secretKey: 'ak_edge', fetch })
    const error = await client
      .verifyToken({ token: 'mt_x' }, { signal: controller.signal })
      .catch((e: unknown) => e)
    expect((error as Error).message).toBe('caller gave up')
  })
})
