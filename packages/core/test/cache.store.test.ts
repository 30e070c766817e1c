/**
 * A shared `CacheStore` (Redis-like) behind the memory tier: HMAC keys scoped by everything that
 * changes the answer, sealed values without the raw token, sharing between verifiers, freshness by
 * the reader's policy, and a failing or hung store degrading to upstream calls, never delaying or
 * failing the answer.
 */
import { createHash, createHmac, hkdfSync } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CacheStore, Logger } from '../src/index.js'
import { mapStore } from './helpers/map-store.js'
import {
  type Harness,
  harness,
  opaqueToken,
  RECEIVER,
  SECRET_KEY,
  T0,
  validReply,
} from './verifier.fixtures.js'

const TOKEN = opaqueToken(5)
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/** The naming key, derived independently of the code under test (node:crypto's HKDF). */
function expectedKey(apiUrl: string, token: string): string {
  const info = `naming\n${apiUrl}\n${RECEIVER}\n`
  const naming = Buffer.from(hkdfSync('sha256', SECRET_KEY, 'm2m-auth shared store v2', info, 32))
  const mac = (text: string) => createHmac('sha256', naming).update(text).digest('hex')
  return `m2m:v2:${mac('scope').slice(0, 32)}:${mac(`token\n${token}`)}`
}

const quiet: Logger = { warn: () => undefined, error: () => undefined }

let hs: Harness[] = []
afterEach(async () => {
  await Promise.all(hs.map((h) => h.close()))
  hs = []
})
async function start(store: CacheStore, extra: Parameters<typeof harness>[0] = {}) {
  const h = await harness({ cache: { store, ttlMs: 5000, staleIfErrorMs: 1000 }, logger: quiet, ...extra })
  hs.push(h)
  h.replies.set(TOKEN, validReply())
  return h
}

describe.each([false, true])('shared store (async answers: %s)', (async) => {
  it('stores under an HMAC of the token (keyed by the secret key) a sealed value without the raw token', async () => {
    const store = mapStore({ async })
    const h = await start(store)
    await h.verifier.verify(TOKEN)
    await vi.waitFor(() => expect(store.data.size).toBe(1))
    const [[key, value]] = [...store.data.entries()] as [[string, { entry: string; ttlMs: number }]]
    expect(key).toBe(expectedKey(h.fake.url, TOKEN))
    expect(key.endsWith(sha256(TOKEN))).toBe(false)
    expect(value.entry).not.toContain(TOKEN)
    expect(value.entry).not.toContain(SECRET_KEY)
    expect(value.ttlMs).toBe(6000) // fresh 5000 + stale-if-error 1000
    const sealed = JSON.parse(value.entry)
    expect(sealed).toMatchObject({ v: 2, mac: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(JSON.parse(sealed.body)).toMatchObject({ verifiedAt: T0, token: { format: 'opaque' } })
  })

  it('lets a second verifier with the same scope answer from the store, with a frozen token', async () => {
    const store = mapStore({ async })
    const first = await start(store)
    await first.verifier.verify(TOKEN)
    await vi.waitFor(() => expect(store.data.size).toBe(1))
    const second = await start(store, { apiUrl: first.fake.url })
    const token = await second.verifier.verify(TOKEN)
    expect(token).toMatchObject({ format: 'opaque' })
    expect(Object.isFrozen(token) && Object.isFrozen(token.scopes)).toBe(true)
    expect(first.upstreamCount()).toBe(1)
    expect(second.verifier.stats()).toMatchObject({ hits: 1, misses: 0, upstreamCalls: 0 })
  })

  it.each([
    ['another machine id', { machineId: undefined }],
    ['another secret key', { secretKey: 'ak_another_machine_key' }],
    ['another API URL', { apiUrl: 'http://127.0.0.1:1' }],
  ])('keeps a verifier with %s apart', async (_name, difference) => {
    const store = mapStore({ async })
    const first = await start(store)
    await first.verifier.verify(TOKEN)
    await vi.waitFor(() => expect(store.data.size).toBe(1))
    const other = await start(store, { apiUrl: first.fake.url, retry: false, ...difference })
    await other.verifier.verify(TOKEN).catch(() => undefined) // the unreachable URL fails: fine
    expect(other.verifier.stats()).toMatchObject({ hits: 0, upstreamCalls: 1 })
    expect(new Set([...store.data.keys()].map((k) => k.split(':')[2])).size).toBe(store.data.size)
  })

  it('invalidate() deletes the entry from the store', async () => {
    const store = mapStore({ async })
    const h = await start(store)
    await h.verifier.verify(TOKEN)
    await vi.waitFor(() => expect(store.data.size).toBe(1))
    await h.verifier.invalidate(TOKEN)
    expect(store.data.size).toBe(0)
    await h.verifier.verify(TOKEN)
    expect(h.upstreamCount()).toBe(2)
  })

  it('asks upstream again once an entry read from the store is no longer fresh', async () => {
    const store = mapStore({ async })
    const h = await start(store)
    await h.verifier.verify(TOKEN)
    h.clock.now = T0 + 5000
    await h.verifier.verify(TOKEN)
    expect(h.upstreamCount()).toBe(2)
  })
})

describe("freshness is the reader's", () => {
  it('serves an entry written under a longer ttlMs only for the reader’s own ttlMs', async () => {
    const store = mapStore()
    const writer = await start(store, { cache: { store, ttlMs: 60_000 } })
    await writer.verifier.verify(TOKEN)
    await vi.waitFor(() => expect(store.data.size).toBe(1))
    const reader = await start(store, { apiUrl: writer.fake.url, cache: { store, ttlMs: 1000 } })
    reader.clock.now = T0 + 999
    await reader.verifier.verify(TOKEN)
    expect(reader.verifier.stats()).toMatchObject({ hits: 1, upstreamCalls: 0 })
    // The writer would still call the entry fresh for 59 s; the reader does not.
    reader.clock.now = T0 + 1000
    await reader.verifier.verify(TOKEN)
    expect(reader.verifier.stats()).toMatchObject({ upstreamCalls: 1 })
  })
})

describe('a slow, hung or failing store', () => {
  const broken: CacheStore = {
    get: () => Promise.reject(new Error('ECONNREFUSED')),
    set: () => {
      throw new Error('ECONNREFUSED')
    },
    delete: () => Promise.reject(new Error('ECONNREFUSED')),
  }

  it('degrades to upstream verification, and tells the logger and events', async () => {
    const lines: string[] = []
    const logger: Logger = { warn: (m) => lines.push(m), error: (m) => lines.push(m) }
    const h = await start(broken, { logger })
    await expect(h.verifier.verify(TOKEN)).resolves.toMatchObject({ format: 'opaque' })
    expect(h.upstreamCount()).toBe(1)
    // The in-memory tier in front of the store still works while the store is down.
    await expect(h.verifier.verify(TOKEN)).resolves.toMatchObject({ format: 'opaque' })
    expect(h.upstreamCount()).toBe(1)
    await vi.waitFor(() => expect(h.verifier.stats().storeErrors).toBe(2)) // the get and the set
    expect(h.events.filter((e) => e.type === 'store_error')).toHaveLength(2)
    expect(lines).toEqual([expect.stringContaining('the shared cache store failed (get: Error)')])
    expect(lines.join('\n')).not.toContain(TOKEN)
  })

  it('answers without waiting for a write that never completes', async () => {
    const hung: CacheStore = { get: () => undefined, set: () => new Promise(() => {}), delete: () => {} }
    const h = await start(hung)
    // Would hang forever if the answer waited for the store's write.
    await expect(h.verifier.verify(TOKEN)).resolves.toMatchObject({ format: 'opaque' })
  })

  it('with awaitWrites (Workers), hands the write to waitUntil with the request; without one, the answer waits', async () => {
    let finish!: () => void
    const written = new Promise<void>((resolve) => {
      finish = resolve
    })
    const gated: CacheStore = {
      awaitWrites: true,
      get: () => undefined,
      set: () => written,
      delete: () => {},
    }
    const handed: unknown[] = []
    const h = await start(gated, {
      waitUntil: (task, request) => {
        handed.push(request, task)
      },
    })
    const request = { name: 'the request of the miss' }
    // Answered while the write is still held: the write went to waitUntil with the request.
    await expect(h.verifier.authenticate(`Bearer ${TOKEN}`, {}, request)).resolves.toMatchObject({
      format: 'opaque',
    })
    expect(handed[0]).toBe(request)
    let settled = false
    void (handed[1] as Promise<unknown>).then(() => {
      settled = true
    })
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(settled).toBe(false)
    finish()
    await vi.waitFor(() => expect(settled).toBe(true))
    // verify() has no request to keep alive: its miss waits for an awaitWrites store's write.
    const other = opaqueToken(6)
    h.replies.set(other, validReply())
    let release!: () => void
    gated.set = () =>
      new Promise<void>((resolve) => {
        release = resolve
      })
    let answered = false
    const verified = h.verifier.verify(other).then(() => {
      answered = true
    })
    await vi.waitFor(() => expect(release).toBeTypeOf('function'))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(answered).toBe(false)
    release()
    await verified
    expect(handed).toHaveLength(2)
  })

  it('with awaitWrites, hands the delete after a definite "no" to waitUntil; a hook answering false makes the answer wait', async () => {
    const releases: (() => void)[] = []
    const deletes: string[] = []
    const gated: CacheStore = {
      awaitWrites: true,
      get: () => undefined,
      set: () => {},
      delete: (key) =>
        new Promise<void>((resolve) => {
          deletes.push(key)
          releases.push(resolve)
        }),
    }
    let take = true
    const handed: unknown[] = []
    const h = await start(gated, {
      waitUntil: (task, request) => {
        handed.push(request, task)
        return take
      },
    })
    const unknown = opaqueToken(7) // the fake answers 404: a definite "no"
    const request = { name: 'the request of the refused token' }
    // Refused while the delete is still held: the delete went to waitUntil with the request.
    await expect(h.verifier.authenticate(`Bearer ${unknown}`, {}, request)).rejects.toMatchObject({
      status: 401,
    })
    expect(deletes).toEqual([expectedKey(h.fake.url, unknown)])
    expect(handed[0]).toBe(request)
    releases[0]!()
    // A hook that does not take the task (no execution context): the refusal waits for the delete.
    take = false
    const other = opaqueToken(8)
    let answered = false
    const refused = h.verifier.authenticate(`Bearer ${other}`, {}, request).catch((error: unknown) => {
      answered = true
      return error
    })
    await vi.waitFor(() => expect(deletes).toHaveLength(2))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(answered).toBe(false)
    releases[1]!()
    await expect(refused).resolves.toMatchObject({ status: 401 })
    expect(handed).toHaveLength(4)
  })

  it('with awaitWrites and a hook answering false, the answer waits for the write', async () => {
    let release!: () => void
    const gated: CacheStore = {
      awaitWrites: true,
      get: () => undefined,
      set: () =>
        new Promise<void>((resolve) => {
          release = resolve
        }),
      delete: () => {},
    }
    const h = await start(gated, { waitUntil: () => false })
    let answered = false
    const verified = h.verifier.authenticate(`Bearer ${TOKEN}`, {}, { name: 'no context' }).then(() => {
      answered = true
    })
    await vi.waitFor(() => expect(release).toBeTypeOf('function'))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(answered).toBe(false)
    release()
    await verified
  })

  it('keeps at most 64 writes in flight; the rest are skipped and counted', async () => {
    let started = 0
    const hung: CacheStore = {
      get: () => undefined,
      set: () => {
        started++
        return new Promise(() => {})
      },
      delete: () => {},
    }
    // 70 verifications at once: more than the upstream budget's 32 in flight, which is not
    // what this test is about (test/security shows the budget).
    const h = await start(hung, { budget: false })
    const tokens = Array.from({ length: 70 }, (_, i) => opaqueToken(100 + i))
    for (const token of tokens) h.replies.set(token, validReply())
    await Promise.all(tokens.map((token) => h.verifier.verify(token)))
    await vi.waitFor(() => expect(started).toBe(64))
    expect(h.verifier.stats().storeErrors).toBe(6)
  })

  it('reports a failed delete to the caller of invalidate()', async () => {
    const h = await start(broken)
    await expect(h.verifier.invalidate(TOKEN)).rejects.toThrow('ECONNREFUSED')
  })
})
