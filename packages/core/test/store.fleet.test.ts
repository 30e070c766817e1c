/**
 * What a store's optional capabilities buy a fleet (several verifiers on one store stand for several
 * processes): a lock makes a token that everybody misses at once cost one upstream call, and a
 * broadcast channel carries invalidate() and revokeToken() to every process, authenticated.
 * Stores without the capabilities keep working as before (see cache.store.test.ts).
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { VerifierOptions } from '../src/index.js'
import { TOKEN_ID, wireToken } from './helpers/fake-clerk.js'
import { type MapStore, mapStore } from './helpers/map-store.js'
import { type Harness, harness, NOT_FOUND, opaqueToken, SECRET_KEY, validReply } from './verifier.fixtures.js'

const TOKEN = opaqueToken(9)

let hs: Harness[] = []
afterEach(async () => {
  await Promise.all(hs.map((h) => h.close()))
  hs = []
})

/** `n` verifiers on one store; all ask the first one's fake Clerk. */
async function fleet(n: number, store: MapStore, options: Partial<VerifierOptions> = {}) {
  const first = await harness({ cache: { store }, ...options })
  hs.push(first)
  const rest: Harness[] = []
  for (let i = 1; i < n; i++) {
    const h = await harness({ apiUrl: first.fake.url, cache: { store }, ...options })
    hs.push(h)
    rest.push(h)
  }
  // Every verifier has subscribed and heard its first reset before the test begins.
  await vi.waitFor(() => expect(store.subscribers()).toBe(n))
  await new Promise((resolve) => setTimeout(resolve, 0))
  return [first, ...rest]
}

describe('fleet-wide single-flight (a store with lock/unlock)', () => {
  it('makes 3 × 20 concurrent first requests cost one upstream call', async () => {
    const store = mapStore({ async: true, fleet: true })
    const verifiers = await fleet(3, store)
    verifiers[0]!.replies.set(TOKEN, { ...validReply(), delayMs: 50 })
    const answers = await Promise.all(
      verifiers.flatMap((h) => Array.from({ length: 20 }, () => h.verifier.verify(TOKEN))),
    )
    expect(new Set(answers.map((t) => t.id)).size).toBe(1)
    expect(verifiers[0]!.upstreamCount(TOKEN)).toBe(1)
    await vi.waitFor(() => expect(store.locks.size).toBe(0)) // released after the entry was written
  })

  it('lets the waiters verify promptly when the holder is told "no" (no entry to wait for)', async () => {
    const store = mapStore({ async: true, fleet: true })
    const verifiers = await fleet(2, store)
    verifiers[0]!.replies.set(TOKEN, { ...NOT_FOUND, delayMs: 30 })
    const outcomes = await Promise.allSettled(verifiers.map((h) => h.verifier.verify(TOKEN)))
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected'])
    expect(verifiers[0]!.upstreamCount(TOKEN)).toBe(2)
  })

  it('stops waiting for a holder that never writes (died) and verifies itself within its timeout', async () => {
    const store = mapStore({ async: true, fleet: true })
    const [h] = await fleet(1, store, { timeoutMs: 80 })
    h!.replies.set(TOKEN, validReply())
    const key = await keyOf(h!)
    store.locks.add(`${key}:lock`) // held by a process that is gone
    await expect(h!.verifier.verify(TOKEN)).resolves.toMatchObject({ id: TOKEN_ID })
    expect(h!.upstreamCount(TOKEN)).toBe(1)
  })
})

describe('the broadcast channel (a store with publish/subscribe)', () => {
  it('invalidate() in one process drops the token in the others', async () => {
    const store = mapStore({ fleet: true })
    const [a, b] = await fleet(2, store)
    a!.replies.set(TOKEN, validReply())
    await a!.verifier.verify(TOKEN)
    await b!.verifier.verify(TOKEN) // from the store (or upstream): now in b's memory
    const before = a!.upstreamCount(TOKEN)
    await a!.verifier.invalidate(TOKEN)
    await vi.waitFor(() => expect(b!.verifier.stats().size).toBe(0))
    await b!.verifier.verify(TOKEN)
    expect(a!.upstreamCount(TOKEN) - before).toBe(1)
  })

  it('revokeToken() in one process makes the others refuse the token at once', async () => {
    const store = mapStore({ fleet: true })
    const [a, b] = await fleet(2, store, { secretKey: SECRET_KEY })
    a!.replies.set(TOKEN, validReply({ id: TOKEN_ID }))
    a!.fake.on('POST', `/m2m_tokens/${TOKEN_ID}/revoke`, () => ({
      status: 200,
      body: wireToken({ id: TOKEN_ID, revoked: true }),
    }))
    await a!.verifier.verify(TOKEN)
    await b!.verifier.verify(TOKEN)
    a!.replies.delete(TOKEN) // Clerk now says 404
    await a!.verifier.revokeToken({ m2mTokenId: TOKEN_ID })
    await vi.waitFor(() => expect(b!.verifier.stats().size).toBe(0))
    await expect(b!.verifier.verify(TOKEN)).rejects.toMatchObject({ status: 401 })
  })

  it('ignores (and counts) a message whose MAC is not ours', async () => {
    const store = mapStore({ fleet: true })
    const [a] = await fleet(1, store)
    a!.replies.set(TOKEN, validReply())
    await a!.verifier.verify(TOKEN)
    await vi.waitFor(() => expect(store.data.size).toBe(1))
    const [key] = [...store.data.keys()] as [string]
    const [channel] = store.channels() as [string]
    const forged = { v: 2, from: 'someone-else', kind: 'key', value: key, mac: '0'.repeat(64) }
    store.deliver(channel, JSON.stringify(forged))
    await vi.waitFor(() => expect(a!.verifier.stats().storeRejected).toBe(1))
    expect(a!.verifier.stats().size).toBe(1)
    // The same message with the right MAC would have dropped it (see invalidate() above).
  })

  it('drops everything held in memory when the subscription comes back (messages may be lost)', async () => {
    const store = mapStore({ fleet: true })
    const [a] = await fleet(1, store)
    a!.replies.set(TOKEN, validReply())
    await a!.verifier.verify(TOKEN)
    expect(a!.verifier.stats().size).toBe(1)
    store.resetAll()
    expect(a!.verifier.stats().size).toBe(0)
  })
})

/** The store key of TOKEN for `h`'s scope, read from a probe store after one verification. */
async function keyOf(h: Harness): Promise<string> {
  const probe = mapStore()
  const other = await harness({ apiUrl: h.fake.url, cache: { store: probe } })
  hs.push(other)
  await other.verifier.verify(TOKEN)
  await vi.waitFor(() => expect(probe.data.size).toBe(1))
  h.fake.requests.length = 0
  return [...probe.data.keys()][0] as string
}
