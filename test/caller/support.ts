/**
 * Fixtures of the caller-side suites: an emulator on a test clock, a token source of its first
 * machine (orders-service) on the same clock, and helpers that count what reached the emulator.
 */
import {
  createTokenSource,
  type TokenSource,
  type TokenSourceEvent,
  type TokenSourceOptions,
} from '@m2m-auth/core'
import { type Emulator, startTestEmulator, type TestClock } from '../helpers/emulator.js'
import { loopbackFetch } from '../helpers/http.js'

export interface SourceHarness {
  emulator: Emulator
  clock: TestClock
  source: TokenSource
  events: TokenSourceEvent[]
  /** Messages written to the source's logger. */
  logged: string[]
  /** Create calls the emulator received. */
  creates(): number
  close(): Promise<void>
}

/** Starts an emulator and builds a source of `orders-service` (no retries inside a create call). */
export async function sourceHarness(options: Partial<TokenSourceOptions> = {}): Promise<SourceHarness> {
  const { emulator, clock } = await startTestEmulator()
  const orders = emulator.machines[0]!
  const events: TokenSourceEvent[] = []
  const logged: string[] = []
  const logger = { warn: (m: string) => logged.push(m), error: (m: string) => logged.push(m) }
  const source = createTokenSource({
    secretKey: orders.secretKey,
    apiUrl: emulator.url,
    retry: false,
    fetch: loopbackFetch,
    now: clock.now,
    onEvent: (event) => events.push(event),
    logger,
    ...options,
  })
  return {
    emulator,
    clock,
    source,
    events,
    logged,
    creates: () => emulator.stats().byRoute.create ?? 0,
    close: () => emulator.close(),
  }
}

/** Resolves once `predicate` holds, checking after each macrotask (bounded, so a bug fails fast). */
export async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (predicate()) return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error(`timed out waiting for ${what}`)
}

export const MINUTE = 60_000
