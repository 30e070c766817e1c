/**
 * A flood of well-formed but unknown tokens must not evict good entries (design.md: a separate,
 * smaller negative LRU). Ten thousand upstream answers are served by undici's MockAgent with net
 * connect disabled (the loopback fake would take seconds on a shared 2-core machine).
 */
import { MockAgent, fetch as undiciFetch } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { createVerifier, type FetchLike, InvalidTokenError } from '../src/index.js'
import { NOT_FOUND, opaqueToken, RECEIVER, SECRET_KEY, T0, validReply } from './verifier.fixtures.js'

const ORIGIN = 'http://clerk.invalid'
const GOOD = opaqueToken(1)

let agent: MockAgent
afterEach(() => agent?.close())

/** A MockAgent answering verify: 200 for GOOD, 404 for anything else; counts calls per token. */
function mockClerk(): { fetch: FetchLike; calls: Map<string, number> } {
  agent = new MockAgent()
  agent.disableNetConnect()
  const calls = new Map<string, number>()
  agent
    .get(ORIGIN)
    .intercept({ path: '/m2m_tokens/verify', method: 'POST' })
    .reply(({ body }) => {
      const token = (JSON.parse(String(body)) as { token: string }).token
      calls.set(token, (calls.get(token) ?? 0) + 1)
      const reply = token === GOOD ? validReply() : NOT_FOUND
      return { statusCode: reply.status ?? 200, data: JSON.stringify(reply.body) }
    })
    .persist()
  const fetch = ((input, init) =>
    undiciFetch(input as string, { ...init, dispatcher: agent } as never)) as FetchLike
  return { fetch, calls }
}

describe('negative flood', () => {
  it('10,000 distinct well-formed unknown tokens do not evict a cached good token', async () => {
    const { fetch, calls } = mockClerk()
    const verifier = createVerifier({
      secretKey: SECRET_KEY,
      apiUrl: ORIGIN,
      machineId: RECEIVER,
      retry: false,
      fetch,
      now: () => T0,
      cache: { max: 100, negativeMax: 1000 },
      // About the caches: the upstream budget (which would shed most of this flood) is off.
      budget: false,
    })
    await verifier.verify(GOOD)
    const flood = Array.from({ length: 10_000 }, (_, i) => opaqueToken(1_000_000 + i))
    for (let i = 0; i < flood.length; i += 500) {
      const batch = flood.slice(i, i + 500).map((t) => verifier.verify(t).catch((e: unknown) => e))
      for (const outcome of await Promise.all(batch)) expect(outcome).toBeInstanceOf(InvalidTokenError)
    }
    await verifier.verify(GOOD)
    expect(calls.get(GOOD)).toBe(1)
    expect(calls.size).toBe(10_001)
    expect(verifier.stats()).toMatchObject({ size: 1, negativeSize: 1000, hits: 1, misses: 10_001 })
  })
})
