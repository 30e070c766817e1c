/**
 * Fixtures of the verifier tests: a scripted loopback fake of Clerk's verify route (known tokens
 * answer 200, anything else 404), a fake clock, and a verifier wired to both. No Clerk logic beyond
 * what each test scripts.
 */
import { expect, vi } from 'vitest'
import { createVerifier, type VerifierEvent, type VerifierOptions } from '../src/index.js'
import {
  clerkErrorBody,
  type FakeClerk,
  type FakeReply,
  MACHINE_A,
  MACHINE_B,
  startFakeClerk,
  wireToken,
} from './helpers/fake-clerk.js'

/** The machine the verifier under test runs as (it is in the default token's scopes). */
export const RECEIVER = MACHINE_B
export const SENDER = MACHINE_A
/** A machine no default token is scoped to. */
export const STRANGER = 'mch_2zStrangerCCCCCCCCCCCCCCCC'
export const SECRET_KEY = 'ak_test_0123456789abcdefVerifierSecret'
/** 2026-03-01T00:00:00Z. */
export const T0 = Date.UTC(2026, 2, 1)
export const VERIFY_PATH = '/m2m_tokens/verify'

/** A well-formed opaque token, distinct for each `n`. */
export function opaqueToken(n: number): string {
  return `mt_${n.toString(16).padStart(32, 'a')}`
}

/** A 200 answer for a valid token expiring `ttlMs` after `T0` (overrides are wire fields). */
export function validReply(overrides: Record<string, unknown> = {}, ttlMs = 3600_000): FakeReply {
  return { status: 200, body: wireToken({ expiration: T0 + ttlMs, created_at: T0 - 1000, ...overrides }) }
}

export const NOT_FOUND: FakeReply = {
  status: 404,
  body: clerkErrorBody('resource_not_found', 'm2m token not found'),
}

/** A running fake Clerk, a fake clock and a verifier built against them. */
export interface Harness {
  fake: FakeClerk
  clock: { now: number }
  /** Scripted answers per token; tokens not listed answer 404. */
  replies: Map<string, FakeReply>
  events: VerifierEvent[]
  verifier: ReturnType<typeof createVerifier>
  /** Requests that reached the verify route. */
  upstreamCount(token?: string): number
  close(): Promise<void>
}

/** Starts a fake Clerk and builds a verifier (ak_ key, machineId RECEIVER, no retries). */
export async function harness(options: Partial<VerifierOptions> = {}): Promise<Harness> {
  const fake = await startFakeClerk()
  const replies = new Map<string, FakeReply>()
  fake.on('POST', VERIFY_PATH, (request) => {
    const token = (request.json as { token?: string } | undefined)?.token ?? ''
    return replies.get(token) ?? NOT_FOUND
  })
  const clock = { now: T0 }
  const events: VerifierEvent[] = []
  const verifier = createVerifier({
    secretKey: SECRET_KEY,
    apiUrl: fake.url,
    machineId: RECEIVER,
    retry: false,
    now: () => clock.now,
    onEvent: (event) => events.push(event),
    ...options,
  })
  const upstreamCount = (token?: string) =>
    fake.requests.filter(
      (r) =>
        r.path === VERIFY_PATH && (token === undefined || (r.json as { token?: string })?.token === token),
    ).length
  return { fake, clock, replies, events, verifier, upstreamCount, close: () => fake.close() }
}

/** Waits until `condition` holds (events are delivered after an async digest). Bounded. */
export async function eventually(condition: () => boolean, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5))
  if (!condition()) throw new Error('condition not met in time')
}

/** The rejection of `promise` (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise
  } catch (error) {
    return error as Error & Record<string, unknown>
  }
  throw new Error('expected a rejection')
}

/** Waits until every upstream verification started so far has ended and its outcome is cached. */
export async function settled(target: Harness): Promise<void> {
  // A refresh starts once the current callbacks have run (setImmediate on Node): let it start.
  await new Promise((resolve) => setImmediate(resolve))
  await vi.waitFor(() => {
    const ended = target.events.filter((e) => e.type === 'upstream').length
    expect(ended).toBe(target.verifier.stats().upstreamCalls)
  })
  await new Promise((resolve) => setTimeout(resolve, 1))
}
