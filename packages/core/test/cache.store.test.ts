/**
 * A shared `CacheStore` (Redis-like) replacing the in-memory LRU: digest-only keys scoped by
 * everything that changes the answer, values without the raw token, sharing between verifiers,
 * invalidation, and a failing store degrading to upstream calls instead of failed requests.
 */
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { CachedEntry, CacheStore } from '../src/index.js'
import { type Harness, harness, opaqueToken, STRANGER, T0, validReply } from './verifier.fixtures.js'

const TOKEN = opaqueToken(5)
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/** A Map-backed store; `async` answers through promises, otherwise synchronously. */
function mapStore(async: boolean): CacheStore & { data: Map<string, { entry: string; ttlMs: number }> } {
  const data = new Map<string, { entry: string; ttlMs: number }>()
  const answer = <T>(value: T) => (async ? Promise.resolve(value) : value)
  return {
    data,
    get: (key) => {
      const found = data.get(key)
      return answer(found ? (JSON.parse(found.entry) as CachedEntry) : undefined)
    },
    set: (key, entry, ttlMs) => answer(void data.set(key, { entry: JSON.stringify(entry), ttlMs })),
    delete: (key) => answer(void data.delete(key)),
  }
}

let hs: Harness[] = []
afterEach(async () => {
  await Promise.all(hs.map((h) => h.close()))
  hs = []
})
async function start(store: CacheStore, extra: Parameters<typeof harness>[0] = {}) {
  const h = await harness({ cache: { store, ttlMs: 5000, staleIfErrorMs: 1000 }, ...extra })
  hs.push(h)
  h.replies.set(TOKEN, validReply())
  return h
}

describe.each([false, true])('shared store (async answers: %s)', (async) => {
  it('stores under m2m:v1:<scope digest>:<sha256(token)> a value without the raw token', async () => {
    const store = mapStore(async)
    const h = await start(store)
    await h.verifier.verify(TOKEN)
    const [[key, value]] = [...store.data.entries()] as [[string, { entry: string; ttlMs: number }]]
    expect(key).toMatch(/^m2m:v1:[0-9a-f]{64}:[0-9a-f]{64}$/)
    expect(key.endsWith(`:${sha256(TOKEN)}`)).toBe(true)
    expect(value.entry).not.toContain(TOKEN)
    expect(value.ttlMs).toBe(6000) // fresh 5000 + stale-if-error 1000
    expect(JSON.parse(value.entry)).toMatchObject({ freshUntil: T0 + 5000, staleUntil: T0 + 6000 })
  })

  it('lets a second verifier with the same scope answer from the store', async () => {
    const store = mapStore(async)
    const first = await start(store)
    await first.verifier.verify(TOKEN)
    const second = await start(store, { apiUrl: first.fake.url })
    await expect(second.verifier.verify(TOKEN)).resolves.toMatchObject({ format: 'opaque' })
    expect(first.upstreamCount()).toBe(1)
    expect(second.verifier.stats()).toMatchObject({ hits: 1, misses: 0, upstreamCalls: 0 })
  })

  it.each([
    ['another machine id', { machineId: undefined }],
    ['another secret key', { secretKey: 'ak_another_machine_key' }],
    ['another API URL', { apiUrl: 'http://127.0.0.1:1' }],
  ])('keeps a verifier with %s apart', async (_name, difference) => {
    const store = mapStore(async)
    const first = await start(store)
    await first.verifier.verify(TOKEN)
    const other = await start(store, { apiUrl: first.fake.url, retry: false, ...difference })
    await other.verifier.verify(TOKEN).catch(() => undefined) // the unreachable URL fails: fine
    expect(other.verifier.stats()).toMatchObject({ hits: 0, upstreamCalls: 1 })
    expect(new Set([...store.data.keys()].map((k) => k.split(':')[2])).size).toBe(store.data.size)
  })

  it('invalidate() deletes the entry from the store', async () => {
    const store = mapStore(async)
    const h = await start(store)
    await h.verifier.verify(TOKEN)
    await h.verifier.invalidate(TOKEN)
    expect(store.data.size).toBe(0)
    await h.verifier.verify(TOKEN)
    expect(h.upstreamCount()).toBe(2)
  })

  it('asks upstream again once an entry read from the store is no longer fresh', async () => {
    const store = mapStore(async)
    const h = await start(store)
    await h.verifier.verify(TOKEN)
    h.clock.now = T0 + 5000
    await h.verifier.verify(TOKEN)
    expect(h.upstreamCount()).toBe(2)
  })
})

describe('a failing store', () => {
  const broken: CacheStore = {
    get: () => Promise.reject(new Error('ECONNREFUSED')),
    set: () => {
      throw new Error('ECONNREFUSED')
    },
    delete: () => Promise.reject(new Error('ECONNREFUSED')),
  }

  it('degrades to upstream verification instead of failing the request', async () => {
    const h = await start(broken)
    await expect(h.verifier.verify(TOKEN)).resolves.toMatchObject({ format: 'opaque' })
    expect(h.upstreamCount()).toBe(1)
    // The in-memory tier in front of the store still works while the store is down.
    await expect(h.verifier.verify(TOKEN)).resolves.toMatchObject({ format: 'opaque' })
    expect(h.upstreamCount()).toBe(1)
    // A second verifier (another process) cannot read the broken store: it asks upstream itself.
    const other = await start(broken, { apiUrl: h.fake.url })
    await expect(other.verifier.verify(TOKEN)).resolves.toMatchObject({ format: 'opaque' })
    expect(h.upstreamCount()).toBe(2)
  })

  it('ignores entries of the wrong shape', async () => {
    const store = mapStore(false)
    const h = await start(store)
    await h.verifier.verify(TOKEN)
    const [key] = [...store.data.keys()] as [string]
    store.data.set(key, { entry: JSON.stringify({ token: { scopes: [STRANGER] } }), ttlMs: 1 })
    // A second verifier (empty memory tier) reads the tampered entry from the store.
    const other = await start(store, { apiUrl: h.fake.url })
    await expect(other.verifier.verify(TOKEN)).resolves.toMatchObject({ format: 'opaque' })
    expect(h.upstreamCount()).toBe(2)
  })

  it('reports a failed delete to the caller of invalidate()', async () => {
    const h = await start(broken)
    await expect(h.verifier.invalidate(TOKEN)).rejects.toThrow('ECONNREFUSED')
  })
})
