/**
 * The synchronous hit path: `authenticateSync` answers without any promise what `authenticate`
 * would answer after a cache hit (or from what needs no I/O), and `NOT_CACHED` otherwise. Each
 * outcome is compared with the async path on the same verifier state. Loopback fake of Clerk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AuthError,
  type AuthenticateOptions,
  createAuthRule,
  InsufficientScopeError,
  NOT_CACHED,
  type SyncAuthResult,
} from '../src/index.js'
import {
  type Harness,
  harness,
  opaqueToken,
  RECEIVER,
  SENDER,
  STRANGER,
  T0,
  validReply,
} from './verifier.fixtures.js'

const CACHED = opaqueToken(1)
const UNKNOWN = opaqueToken(2)
const UNCACHED = opaqueToken(3)

let h: Harness
beforeAll(async () => {
  h = await harness({ cache: { ttlMs: 60_000 } })
  h.replies.set(CACHED, validReply())
  h.replies.set(UNCACHED, validReply())
  await h.verifier.verify(CACHED)
  await h.verifier.verify(UNKNOWN).catch(() => undefined) // now a cached "no"
})
afterAll(() => h.close())

/** What an outcome looks like, comparable between the two paths. */
function shape(outcome: unknown): unknown {
  if (outcome instanceof AuthError) {
    const { status, code, description } = outcome
    return { error: outcome.constructor.name, status, code, description }
  }
  return outcome
}

async function asyncOutcome(header: string | undefined, options: AuthenticateOptions): Promise<unknown> {
  try {
    return await h.verifier.authenticate(header, options)
  } catch (error) {
    return error
  }
}

const cases: [string, string | undefined, AuthenticateOptions][] = [
  ['a cached token', `Bearer ${CACHED}`, {}],
  ['a cached token with the scope it needs', `Bearer ${CACHED}`, { scope: [RECEIVER] }],
  ['a cached token without the scope it needs (403)', `Bearer ${CACHED}`, { scope: [STRANGER] }],
  ['a cached token on an optional scoped route', `Bearer ${CACHED}`, { scope: [RECEIVER], optional: true }],
  ['a cached token from an allowed caller', `Bearer ${CACHED}`, { callers: [SENDER] }],
  ['a cached token from a caller not allowed here (403)', `Bearer ${CACHED}`, { callers: [STRANGER] }],
  [
    'no Authorization header on an optional scoped route (401)',
    undefined,
    { scope: [RECEIVER], optional: true },
  ],
  ['no Authorization header', undefined, {}],
  ['no Authorization header on an optional route', undefined, { optional: true }],
  ['another scheme', 'Basic dXNlcjpwYXNz', {}],
  ['a malformed header', 'Bearer', {}],
  ['a string that is not an M2M token', 'Bearer not-a-token', {}],
  ['a cached "no"', `Bearer ${UNKNOWN}`, {}],
]

describe('authenticateSync', () => {
  it.each(cases)('answers %s exactly as authenticate() does', async (_name, header, options) => {
    const sync = h.verifier.authenticateSync(header, createAuthRule(options))
    expect(sync).not.toBe(NOT_CACHED)
    expect(sync).not.toBeInstanceOf(Promise)
    expect(shape(sync)).toEqual(shape(await asyncOutcome(header, options)))
  })

  it('answers a hit before any microtask runs, with the very object the cache holds', async () => {
    const expected = await h.verifier.authenticate(`Bearer ${CACHED}`)
    let microtaskRan = false
    queueMicrotask(() => {
      microtaskRan = true
    })
    const rule = createAuthRule({ scope: [RECEIVER] })
    const answer: SyncAuthResult = h.verifier.authenticateSync(`Bearer ${CACHED}`, rule)
    expect(microtaskRan).toBe(false)
    expect(answer).toBe(expected)
  })

  it('answers NOT_CACHED when I/O is needed, and authenticate() then verifies', async () => {
    const before = h.upstreamCount(UNCACHED)
    expect(h.verifier.authenticateSync(`Bearer ${UNCACHED}`)).toBe(NOT_CACHED)
    expect(h.upstreamCount(UNCACHED)).toBe(before) // the sync path never calls upstream
    await expect(h.verifier.authenticate(`Bearer ${UNCACHED}`)).resolves.toMatchObject({ scopes: [RECEIVER] })
    expect(h.verifier.authenticateSync(`Bearer ${UNCACHED}`)).toMatchObject({ scopes: [RECEIVER] })
  })

  it('answers NOT_CACHED for a rule with an authorize hook (it needs the request, may be async)', () => {
    const rule = createAuthRule({ authorize: () => true })
    expect(h.verifier.authenticateSync(`Bearer ${CACHED}`, rule)).toBe(NOT_CACHED)
  })

  it('answers NOT_CACHED for an entry past its fresh window', () => {
    const saved = h.clock.now
    h.clock.now = T0 + 120_000
    try {
      expect(h.verifier.authenticateSync(`Bearer ${CACHED}`)).toBe(NOT_CACHED)
    } finally {
      h.clock.now = saved
    }
  })

  it('returns the 403 as a value naming the scope, and counts the hit', () => {
    const hits = h.verifier.stats().hits
    const answer = h.verifier.authenticateSync(`Bearer ${CACHED}`, createAuthRule({ scope: [STRANGER] }))
    expect(answer).toBeInstanceOf(InsufficientScopeError)
    expect((answer as InsufficientScopeError).status).toBe(403)
    expect(h.verifier.stats().hits).toBe(hits + 1)
  })
})
