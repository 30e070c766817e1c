/**
 * Refresh ahead (design.md "Cache semantics"), against a loopback fake of Clerk with a fake clock: a
 * hit in the last 20% of the fresh window is answered at once and starts one background
 * re-verification; its answer replaces the entry, a definite "no" drops it, a transient failure
 * keeps it until it expires. Held answers (a gate) show that no request waits for a refresh.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  type CacheStore,
  createVerifier,
  InvalidTokenError,
  M2MConfigError,
  NOT_CACHED,
} from '../src/index.js'
import type { FakeReply } from './helpers/fake-clerk.js'
import {
  type Harness,
  harness,
  opaqueToken,
  rejectionOf,
  SECRET_KEY,
  settled,
  T0,
  VERIFY_PATH,
  validReply,
} from './verifier.fixtures.js'

const HOT = opaqueToken(1)
const HEADER = `Bearer ${HOT}`
const UNAVAILABLE: FakeReply = { status: 503, body: { errors: [{ code: 'unavailable', message: 'down' }] } }

let h: Harness
afterEach(() => h?.close())

/** Makes the fake hold its next answers until `release(reply)`. */
function holdAnswers(target: Harness): { release(reply: FakeReply): void } {
  let release!: (reply: FakeReply) => void
  const gate = new Promise<FakeReply>((resolve) => {
    release = resolve
  })
  target.fake.on('POST', VERIFY_PATH, () => gate)
  return { release }
}

async function warm(options: Parameters<typeof harness>[0] = {}): Promise<Harness> {
  const created = await harness({ cache: { ttlMs: 1000 }, ...options })
  created.replies.set(HOT, validReply())
  await created.verifier.verify(HOT)
  return created
}

describe('refresh ahead', () => {
  it('answers a hit in the last 20% of ttlMs at once and refreshes the entry in the background', async () => {
    h = await warm()
    const held = holdAnswers(h)
    h.clock.now = T0 + 850 // in the window: each entry's refresh point lies in [75%, 80%] of it
    const answer = h.verifier.authenticateSync(HEADER)
    expect(answer).toMatchObject({ subject: expect.any(String) })
    await vi.waitFor(() => expect(h.upstreamCount(HOT)).toBe(2))
    // While the refresh is held, later hits are still answered synchronously, without another call.
    h.clock.now = T0 + 990
    expect(h.verifier.authenticateSync(HEADER)).toBe(answer)
    held.release(validReply())
    await settled(h)
    // The refreshed entry is fresh for ttlMs from the refresh's answer (T0 + 990), not from T0.
    h.clock.now = T0 + 1700
    expect(h.verifier.authenticateSync(HEADER)).toMatchObject({ id: (answer as { id: string }).id })
    h.clock.now = T0 + 1990
    expect(h.verifier.authenticateSync(HEADER)).toBe(NOT_CACHED)
    // A refresh is not a miss: no request missed (the one miss is the warm-up's).
    expect(h.verifier.stats()).toMatchObject({ refreshes: 1, upstreamCalls: 2, misses: 1 })
    expect(h.events.filter((e) => e.type === 'miss')).toHaveLength(1)
  })

  it('keeps a hot token answered without waiting, at about one upstream call per ttlMs', async () => {
    h = await warm()
    let waited = 0
    for (let t = 0; t <= 10_000; t += 50) {
      h.clock.now = T0 + t
      if (h.verifier.authenticateSync(HEADER) === NOT_CACHED) waited++
      await settled(h)
    }
    expect(waited).toBe(0)
    // One refresh per 800 ms (the last 200 ms of each 1000 ms window), plus the warm-up miss.
    const calls = h.upstreamCount(HOT)
    expect(calls).toBeGreaterThanOrEqual(11)
    expect(calls).toBeLessThanOrEqual(14)
  })

  it('spreads the refreshes of tokens verified together over a quarter window before it', async () => {
    // 200 verifications in one instant: over the default budget of the verify calls, which is the
    // point (a burst of refreshes every ttlMs would be shed); off here to see every refresh.
    h = await harness({ cache: { ttlMs: 1000 }, budget: false })
    const tokens = Array.from({ length: 200 }, (_, i) => opaqueToken(100 + i))
    for (const token of tokens) h.replies.set(token, validReply())
    await Promise.all(tokens.map((token) => h.verifier.verify(token)))
    const refreshedBy = async (at: number) => {
      h.clock.now = T0 + at
      for (const token of tokens) expect(h.verifier.authenticateSync(`Bearer ${token}`)).not.toBe(NOT_CACHED)
      await settled(h)
      return h.verifier.stats().refreshes
    }
    // None before 75%, about half by 77.5%, all by the window's start (80%): 200 tokens verified in
    // the same instant are not re-verified in the same instant, and a hit in the window always
    // finds its token's refresh started.
    expect(await refreshedBy(749)).toBe(0)
    const byHalfway = await refreshedBy(775)
    expect(byHalfway).toBeGreaterThan(50)
    expect(byHalfway).toBeLessThan(150)
    expect(await refreshedBy(800)).toBe(200)
  })

  it('does not refresh a token nobody presents', async () => {
    h = await warm()
    h.clock.now = T0 + 500
    h.verifier.authenticateSync(HEADER) // a hit before the refresh window
    h.clock.now = T0 + 5000
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(h.upstreamCount(HOT)).toBe(1)
    expect(h.verifier.stats().refreshes).toBe(0)
  })

  it('does not refresh an entry whose token expires within its fresh window', async () => {
    h = await harness({ cache: { ttlMs: 1000 } })
    h.replies.set(HOT, validReply({}, 900)) // expires at T0 + 900: a re-verification cannot extend it
    await h.verifier.verify(HOT)
    h.clock.now = T0 + 850
    expect(h.verifier.authenticateSync(HEADER)).toMatchObject({ subject: expect.any(String) })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(h.upstreamCount(HOT)).toBe(1)
    expect(h.verifier.stats().refreshes).toBe(0)
  })

  it('drops the entry when the refresh answers that the token was revoked', async () => {
    h = await warm()
    h.replies.set(HOT, validReply({ revoked: true }))
    h.clock.now = T0 + 900
    expect(h.verifier.authenticateSync(HEADER)).not.toBeInstanceOf(Error)
    await settled(h)
    expect(h.verifier.authenticateSync(HEADER)).toBeInstanceOf(InvalidTokenError)
    const error = await rejectionOf(h.verifier.authenticate(HEADER))
    expect(error).toMatchObject({ status: 401, description: 'The access token is invalid' })
  })

  it('keeps the current entry until it expires when the refresh fails transiently', async () => {
    h = await warm()
    h.replies.set(HOT, UNAVAILABLE)
    h.clock.now = T0 + 850
    h.verifier.authenticateSync(HEADER)
    await settled(h)
    for (const at of [860, 880, 899]) {
      h.clock.now = T0 + at
      expect(h.verifier.authenticateSync(HEADER)).toMatchObject({ subject: expect.any(String) })
      await settled(h)
    }
    // The failing service is not asked again on every hit: once more a quarter of the refresh
    // window (50 ms) after the failure, by the next hit from then on.
    expect(h.upstreamCount(HOT)).toBe(2)
    h.clock.now = T0 + 999
    expect(h.verifier.authenticateSync(HEADER)).toMatchObject({ subject: expect.any(String) })
    await settled(h)
    expect(h.upstreamCount(HOT)).toBe(3)
    // The entry that went on serving was fresh: no stale hit, and the refreshes were no misses.
    expect(h.verifier.stats()).toMatchObject({ staleHits: 0, misses: 1, errors: 2, refreshes: 2 })
    h.clock.now = T0 + 1000
    expect(h.verifier.authenticateSync(HEADER)).toBe(NOT_CACHED)
    expect((await rejectionOf(h.verifier.authenticate(HEADER))).status).toBe(503)
  })

  it('starts the refresh after the hit that found it due, not inside it', async () => {
    h = await warm()
    h.clock.now = T0 + 850
    expect(h.verifier.authenticateSync(HEADER)).toMatchObject({ subject: expect.any(String) })
    // Nothing of the refresh ran inside the hit: its request is built and written afterwards
    // (setImmediate), so the request that triggered it is answered first.
    expect(h.verifier.stats()).toMatchObject({ refreshes: 1, upstreamCalls: 1 })
    await vi.waitFor(() => expect(h.upstreamCount(HOT)).toBe(2))
    await settled(h)
    expect(h.verifier.stats()).toMatchObject({ refreshes: 1, upstreamCalls: 2, misses: 1 })
  })

  it('lets a miss join the refresh in flight (single-flight)', async () => {
    h = await warm()
    const held = holdAnswers(h)
    h.clock.now = T0 + 900
    h.verifier.authenticateSync(HEADER)
    h.clock.now = T0 + 1100 // the entry expired while its refresh is still held
    const joined = h.verifier.authenticate(HEADER)
    held.release(validReply())
    await expect(joined).resolves.toMatchObject({ subject: expect.any(String) })
    expect(h.upstreamCount(HOT)).toBe(2)
    expect(h.verifier.stats().coalesced).toBe(1)
  })

  it('is awaited by no request when single-flight is off (Cloudflare Workers)', async () => {
    h = await warm({ singleFlight: false })
    let release!: (reply: FakeReply) => void
    const gate = new Promise<FakeReply>((resolve) => {
      release = resolve
    })
    let calls = 0
    h.fake.on('POST', VERIFY_PATH, () => (++calls === 1 ? gate : validReply()))
    h.clock.now = T0 + 900
    h.verifier.authenticateSync(HEADER) // starts the refresh, which the fake holds
    await vi.waitFor(() => expect(calls).toBe(1))
    h.clock.now = T0 + 1100
    // The expired entry's miss makes its own call and is answered while the refresh is still held.
    await expect(h.verifier.authenticate(HEADER)).resolves.toMatchObject({ subject: expect.any(String) })
    expect(h.upstreamCount(HOT)).toBe(3)
    release(validReply())
    await settled(h)
  })

  it('hands the refresh to waitUntil with the request whose hit started it (Workers: ctx.waitUntil)', async () => {
    const handed: { task: Promise<unknown>; request: unknown }[] = []
    h = await warm({
      waitUntil: (task, request) => {
        handed.push({ task, request })
      },
    })
    const held = holdAnswers(h)
    const request = { name: 'the request that found the refresh due' }
    h.clock.now = T0 + 850
    expect(h.verifier.authenticateSync(HEADER, undefined, request)).toMatchObject({
      subject: expect.any(String),
    })
    expect(handed).toHaveLength(1)
    expect(handed[0]!.request).toBe(request)
    // The task is the refresh itself: it settles once the refresh's answer is cached, not before.
    let done = false
    void handed[0]!.task.then(() => {
      done = true
    })
    await vi.waitFor(() => expect(h.upstreamCount(HOT)).toBe(2))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(done).toBe(false)
    held.release(validReply())
    await expect(handed[0]!.task).resolves.toBeUndefined()
    // Past the first entry's freshness, in the refreshed entry's own window: served from the
    // refresh's answer, and the next refresh goes to waitUntil with authenticate()'s request.
    h.clock.now = T0 + 1700
    await expect(h.verifier.authenticate(HEADER, {}, 'second request')).resolves.toMatchObject({
      subject: expect.any(String),
    })
    expect(handed.map((x) => x.request)).toEqual([request, 'second request'])
    expect(h.verifier.stats()).toMatchObject({ misses: 1, refreshes: 2 })
    await settled(h)
  })

  it('still lands the refresh when waitUntil throws, and logs that once', async () => {
    const logged: string[] = []
    const logger = { warn: (m: string) => logged.push(m), error: (m: string) => logged.push(m) }
    h = await warm({
      logger,
      waitUntil: () => {
        throw new TypeError('Illegal invocation')
      },
    })
    h.clock.now = T0 + 850
    expect(h.verifier.authenticateSync(HEADER)).toMatchObject({ subject: expect.any(String) })
    await settled(h)
    expect(h.verifier.stats()).toMatchObject({ refreshes: 1, upstreamCalls: 2, misses: 1 })
    expect(logged).toEqual([expect.stringContaining('the waitUntil option threw (TypeError)')])
    await expect(harness({ waitUntil: 'ctx.waitUntil' as never })).rejects.toThrow(M2MConfigError)
  })

  it('refreshes an entry that came from the shared store', async () => {
    const data = new Map<string, unknown>()
    const store: CacheStore = {
      get: (key) => data.get(key) as never,
      set: (key, entry) => void data.set(key, entry),
      delete: (key) => void data.delete(key),
    }
    const first = await warm({ cache: { ttlMs: 1000, store } })
    h = await harness({ apiUrl: first.fake.url, cache: { ttlMs: 1000, store } })
    try {
      first.clock.now = T0 + 850
      h.clock.now = T0 + 850
      await h.verifier.verify(HOT) // from the store: fresh until T0 + 1000, in its refresh window
      expect(first.upstreamCount(HOT)).toBe(1)
      h.verifier.authenticateSync(HEADER)
      await vi.waitFor(() => expect(first.upstreamCount(HOT)).toBe(2))
      await settled(h)
      h.clock.now = T0 + 1500
      expect(h.verifier.authenticateSync(HEADER)).toMatchObject({ subject: expect.any(String) })
    } finally {
      await first.close()
    }
  })

  it('can be turned off, and rejects a ratio outside 0..1 at startup', async () => {
    h = await warm({ cache: { ttlMs: 1000, refreshAheadRatio: 0 } })
    h.clock.now = T0 + 990
    h.verifier.authenticateSync(HEADER)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(h.upstreamCount(HOT)).toBe(1)
    for (const refreshAheadRatio of [-0.1, 1.5, Number.NaN, '0.2']) {
      const cache = { refreshAheadRatio: refreshAheadRatio as number }
      const build = () => createVerifier({ secretKey: SECRET_KEY, cache })
      expect(build).toThrow(M2MConfigError)
      expect(build).toThrow(/cache\.refreshAheadRatio/)
    }
  })
})
