/**
 * Runs in vitest's edge-runtime environment (project core-edge): the verifier needs nothing but Web
 * APIs (fetch, Response, crypto.subtle, AbortController). The token service is a plain function
 * answering Web `Response`s, as a Worker's `fetch` binding would.
 */
import { describe, expect, it } from 'vitest'
import {
  createVerifier,
  type FetchLike,
  TokenServiceUnavailableError,
  toErrorResponse,
  type VerifierEvent,
} from '../src/index.js'

const RECEIVER = 'mch_2yGkLpQ7Y3rXSwtU24CzTk9I7Em'
const TOKEN = 'mt_0123456789abcdef0123456789abcdef'
const T0 = Date.UTC(2026, 2, 1)

const tokenObject = {
  object: 'machine_to_machine_token',
  id: 'mt_f7f0ba8c3b4843ce7d85fcdd5e71853e',
  subject: 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk',
  claims: { role: 'reporting' },
  scopes: [RECEIVER],
  revoked: false,
  revocation_reason: null,
  expired: false,
  expiration: T0 + 3600_000,
  last_used_at: null,
  created_at: T0,
  updated_at: T0,
}

/** A fetch answering `status` with `body`, counting calls. */
function webFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: string[] = []
  const fetch: FetchLike = async (input, init) => {
    const request = new Request(input, init)
    calls.push(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`)
    return new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    })
  }
  return { fetch, calls }
}

describe('verifier on the edge runtime', () => {
  it('verifies an opaque token through fetch, then answers from the cache', async () => {
    const { fetch, calls } = webFetch(200, tokenObject)
    const events: VerifierEvent[] = []
    const verifier = createVerifier({
      secretKey: 'ak_edge_machine_key',
      machineId: RECEIVER,
      fetch,
      now: () => T0,
      singleFlight: false,
      onEvent: (event) => events.push(event),
    })
    const first = await verifier.authenticate(`Bearer ${TOKEN}`, { scope: [RECEIVER] })
    const second = await verifier.verify(TOKEN)
    expect(first).toMatchObject({
      format: 'opaque',
      subject: tokenObject.subject,
      claims: { role: 'reporting' },
    })
    expect(second).toEqual(first)
    expect(calls).toEqual([`POST /m2m_tokens/verify ${JSON.stringify({ token: TOKEN })}`])
    for (let i = 0; i < 100 && events.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(events.map((e) => e.tokenDigest)).toEqual(Array(3).fill(expect.stringMatching(/^[0-9a-f]{16}$/)))
  })

  it('maps a 429 to a 503 carrying Retry-After', async () => {
    const { fetch } = webFetch(
      429,
      { errors: [{ code: 'too_many', message: 'slow down' }] },
      { 'retry-after': '3' },
    )
    const verifier = createVerifier({ secretKey: 'ak_edge_machine_key', fetch, retry: false })
    const error = await verifier.verify(TOKEN).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TokenServiceUnavailableError)
    expect(toErrorResponse(error).headers['retry-after']).toBe('3')
  })

  it('rejects a malformed header with 400 without calling fetch', async () => {
    const { fetch, calls } = webFetch(200, tokenObject)
    const verifier = createVerifier({ secretKey: 'ak_edge_machine_key', fetch })
    const error = await verifier.authenticate(`Bearer ${TOKEN} extra`).catch((e: unknown) => e)
    expect(toErrorResponse(error).status).toBe(400)
    expect(calls).toHaveLength(0)
  })
})
