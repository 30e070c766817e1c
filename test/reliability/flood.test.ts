/**
 * Token floods: 100,000 distinct garbage tokens (well-formed and not) through one server, then a
 * smaller run over real HTTP for every adapter. Memory stays bounded, only well-formed opaque
 * candidates reach the token service (each once), forged JWTs cost at most a rate-limited key-set
 * fetch, and a good token verified before the flood is still served from the cache after it.
 */
import { m2mAuth } from '@m2m-auth/hono'
import { Hono } from 'hono'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { envInt, REALM, type ReliabilityEnv, round1, startReliabilityEnv, subjects } from './support/env.js'
import { garbageToken } from './support/garbage.js'
import { type MemorySample, type ProcessFaults, sampleMemory, watchProcessFaults } from './support/process.js'
import { RawHttpConnection } from './support/raw-http.js'

const TOTAL = envInt('FLOOD_TOKENS', 100_000)
/** One token in 50 is a well-formed opaque token (2,000 upstream calls), as many are forged JWTs. */
const WELL_FORMED_EVERY = 50
const BATCH = 200
/**
 * Heap growth allowed over the flood, after full collections (about 170 bytes a token): generous,
 * yet below what keeping every token string (~35 MB), or any per-request object, would take.
 */
const HEAP_GROWTH_BOUND_MIB = 16
const NEGATIVE_MAX = 1000 // the verifier's default `cache.negativeMax`

let env: ReliabilityEnv
let watch: ProcessFaults

beforeAll(async () => {
  env = await startReliabilityEnv()
  watch = watchProcessFaults()
})

afterAll(async () => {
  watch?.stop()
  await env?.close()
})

afterEach(() => {
  expect(watch.seen, 'unhandled rejections or uncaught exceptions').toEqual([])
})

function tally(counts: Map<number, number>, status: number): void {
  counts.set(status, (counts.get(status) ?? 0) + 1)
}

/** One Hono app in process; `get` answers the status of `GET /protected` with that token. */
function floodApp(): (token: string) => Promise<number> {
  const t0 = Date.now()
  // A still clock: no negative or positive entry expires during the flood, so every upstream call
  // seen is one the caches could not have saved.
  // The budget is off: with a still clock its bucket never refills, and this flood is about the
  // caches (test/security shows the budget shedding a flood).
  const auth = m2mAuth({ ...env.verifier({ now: () => t0, budget: false }), realm: REALM })
  const app = new Hono().get('/protected', auth, (c) => c.json({ m2m: c.var.m2m }))
  return async (token) => {
    const response = await app.request('http://api.test/protected', {
      headers: { authorization: `Bearer ${token}` },
    })
    await response.arrayBuffer()
    return response.status
  }
}

interface FloodResult {
  statuses: Map<number, number>
  /** Indices of the tokens that enter the negative cache, in sending order. */
  remembered: number[]
  seconds: number
  before: MemorySample
  after: MemorySample
}

/** Sends TOTAL garbage tokens, BATCH at a time, with full collections around the memory samples. */
async function flood(get: (token: string) => Promise<number>): Promise<FloodResult> {
  const before = sampleMemory()
  const statuses = new Map<number, number>()
  const remembered: number[] = []
  const started = performance.now()
  for (let i = 0; i < TOTAL; i += BATCH) {
    const batch: Promise<void>[] = []
    for (let j = i; j < Math.min(TOTAL, i + BATCH); j++) {
      const { token, kind } = garbageToken(j, WELL_FORMED_EVERY)
      if (kind !== 'malformed') remembered.push(j)
      batch.push(get(token).then((status) => tally(statuses, status)))
    }
    await Promise.all(batch)
  }
  const seconds = (performance.now() - started) / 1000
  return { statuses, remembered, seconds, before, after: sampleMemory() }
}

function report({ statuses, seconds, before, after }: FloodResult, opaque: number): void {
  const stats = env.emulator.stats()
  console.log(
    `[reliability] flood hono in-process: ${TOTAL} tokens in ${round1(seconds)} s ` +
      `(${Math.round(TOTAL / seconds)}/s); statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
      `verify calls ${stats.verify} for ${opaque} well-formed opaque; jwks fetches ` +
      `${stats.byRoute.jwks ?? 0}; RSS ${before.rssMiB} -> ${after.rssMiB} MiB; heapUsed ` +
      `${before.heapUsedMiB} -> ${after.heapUsedMiB} MiB`,
  )
}

describe('hono 4, in process (app.request)', () => {
  it(`${TOTAL} distinct garbage tokens: bounded memory and upstream calls; good cache entries survive`, async () => {
    const get = floodApp()
    const tokenOf = (j: number) => garbageToken(j, WELL_FORMED_EVERY).token
    const good = await env.issue()
    expect(await get(good.token)).toBe(200)
    for (let i = 0; i < 2000; i += BATCH) {
      await Promise.all(Array.from({ length: BATCH }, (_, j) => get(`warmup.${i + j}`)))
    }
    env.emulator.resetStats()
    const result = await flood(get)
    const opaque = result.remembered.filter((j) => garbageToken(j, WELL_FORMED_EVERY).kind === 'opaque')
    report(result, opaque.length)
    const stats = env.emulator.stats()
    expect([...result.statuses.keys()].sort()).toEqual([400, 401])
    expect(stats.verify, 'each well-formed opaque token reached the token service once').toBe(opaque.length)
    expect(stats.byRoute.jwks ?? 0, 'forged JWTs do not hammer the key set').toBeLessThanOrEqual(2)
    expect(result.after.heapUsedMiB - result.before.heapUsedMiB).toBeLessThan(HEAP_GROWTH_BOUND_MIB)

    // The good token is still a cache hit: no new upstream call.
    expect(await get(good.token)).toBe(200)
    expect(env.emulator.stats().verify).toBe(opaque.length)
    // The most recent negatives are remembered (no upstream call) ...
    const isOpaque = new Set(opaque)
    const recent = result.remembered.slice(-(NEGATIVE_MAX - 100)).filter((j) => isOpaque.has(j))
    expect(recent.length).toBeGreaterThan(50)
    expect(new Set(await Promise.all(recent.map((j) => get(tokenOf(j)))))).toEqual(new Set([401]))
    expect(env.emulator.stats().verify, 'recent negatives were served from the cache').toBe(opaque.length)
    // ... and the oldest were evicted (the negative cache is bounded): they cost one call again.
    const oldest = opaque.slice(0, 100)
    await Promise.all(oldest.map((j) => get(tokenOf(j))))
    expect(env.emulator.stats().verify).toBe(opaque.length + oldest.length)
  }, 180_000)
})

/** Per adapter over HTTP; Express 4 (the same adapter as Express 5) takes a smaller share. */
const HTTP_FLOOD = envInt('FLOOD_HTTP_TOKENS', 1000)

for (const subject of subjects) {
  const count = subject.name === 'express 4' ? Math.ceil(HTTP_FLOOD / 2) : HTTP_FLOOD
  describe(`${subject.name}, over HTTP`, () => {
    it(`${count} distinct garbage tokens: 400/401 only, one upstream call per well-formed token, good entry survives`, async () => {
      // A long fresh window, so that only the cache (not a slow run) decides the good token's fate.
      const server = await env.start(subject, { cache: { ttlMs: 60_000 } })
      const connection = new RawHttpConnection(server.url)
      const get = async (token: string) =>
        (await connection.request(`GET /protected HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}`))
          .status
      try {
        const good = await env.issue()
        expect(await get(good.token)).toBe(200)
        const calls = env.emulator.stats().verify
        const statuses = new Map<number, number>()
        let opaque = 0
        for (let j = 5_000_000; j < 5_000_000 + count; j++) {
          const { token, kind } = garbageToken(j, 20)
          if (kind === 'opaque') opaque++
          tally(statuses, await get(token))
        }
        expect([...statuses.keys()].sort()).toEqual([400, 401])
        expect(env.emulator.stats().verify - calls).toBe(opaque)
        expect(await get(good.token)).toBe(200)
        expect(env.emulator.stats().verify - calls, 'the good token is still a cache hit').toBe(opaque)
      } finally {
        connection.close()
        await server.close()
      }
    }, 60_000)
  })
}
