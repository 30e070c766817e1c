/**
 * The security suite's environment: one emulator with the machines an attacker and a victim need,
 * the conformance subjects (every adapter, real loopback HTTP) started with the verifier options
 * of a receiving API, and a logger that records what the library writes.
 */
import type { Logger, VerifierOptions } from '@m2m-auth/core'
import { subjects } from '../conformance/subjects/index.js'
import type { ConformanceSubject, StartedSubject } from '../conformance/subjects/types.js'
import {
  type Emulator,
  type EmulatorMachine,
  type IssuedToken,
  type IssueTokenParams,
  issueToken,
  startTestEmulator,
  type TestClock,
} from '../helpers/emulator.js'
import { loopbackFetch, send, type TestResponse } from '../helpers/http.js'

export type { ConformanceSubject, StartedSubject, TestResponse }
export { subjects }

export const REALM = 'security'

/**
 * `sender` may call `receiver` (the API under test); `neighbour` calls `stranger`, another service
 * of the same Clerk instance, whose tokens a thief might replay against `receiver`.
 */
const MACHINES = [
  { name: 'sender', scopes: ['receiver'] },
  { name: 'receiver' },
  { name: 'neighbour', scopes: ['stranger'] },
  { name: 'stranger' },
]

/** An emulator, its machines, and the verifier options of `receiver`. */
export interface SecurityEnv {
  emulator: Emulator
  /** The emulator's clock (token expiry). */
  emulatorClock: TestClock
  machines: Record<'sender' | 'receiver' | 'neighbour' | 'stranger', EmulatorMachine>
  /** The receiving API's options: instance key and machine id, loopback only, `overrides` on top. */
  verifier(overrides?: Partial<VerifierOptions>): VerifierOptions
  /** A token from `from` (default `sender`, scoped to `receiver`). A credential: never print it. */
  issue(from?: 'sender' | 'neighbour', params?: IssueTokenParams): Promise<IssuedToken>
  /** Starts `subject` with these verifier options (`/scoped` requires `scopedRouteScopes`). */
  start(subject: ConformanceSubject, verifier: VerifierOptions, scopes?: string[]): Promise<StartedSubject>
  close(): Promise<void>
}

export async function startSecurityEnv(): Promise<SecurityEnv> {
  const { emulator, clock } = await startTestEmulator({ machines: MACHINES })
  const find = (name: string) => {
    const machine = emulator.machines.find((m) => m.name === name)
    if (machine === undefined) throw new Error(`the emulator has no machine named ${name}`)
    return machine
  }
  const machines = {
    sender: find('sender'),
    receiver: find('receiver'),
    neighbour: find('neighbour'),
    stranger: find('stranger'),
  }
  return {
    emulator,
    emulatorClock: clock,
    machines,
    verifier: (overrides = {}) => ({
      secretKey: emulator.secretKey,
      apiUrl: emulator.url,
      machineId: machines.receiver.id,
      fetch: loopbackFetch,
      timeoutMs: 1000,
      // The library's lines (refusals, outages) are kept, not printed: tests that read them pass their own.
      logger: recordingLogger(),
      ...overrides,
    }),
    issue: (from = 'sender', params = {}) => issueToken(emulator.url, machines[from].secretKey, params),
    start: (subject, verifier, scopes) =>
      subject.start({
        verifier,
        realm: REALM,
        scopedRouteScopes: routeScopes(scopes ?? [machines.receiver.id]),
      }),
    close: () => emulator.close(),
  }
}

/**
 * The one place where this suite names a route's required machines, so that a renamed adapter
 * option (`scopes` to `scope`) is a one-line change here.
 */
export function routeScopes(ids: readonly string[]): string[] {
  return [...ids]
}

/** `GET path` with `Bearer <token>` (no header for `undefined`), on a fresh connection. */
export function get(
  server: StartedSubject,
  token: string | undefined,
  path = '/protected',
): Promise<TestResponse> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` }
  return send(`${server.url}${path}`, { headers, timeoutMs: 10_000 })
}

/** A header of an answer, joined. */
export function header(response: TestResponse, name: string): string | undefined {
  const value = response.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/** The parts of an answer an attacker can compare: status, challenge and body. */
export function visible(response: TestResponse): {
  status: number
  challenge: string | undefined
  body: string
} {
  return { status: response.status, challenge: header(response, 'www-authenticate'), body: response.text }
}

/** A well-formed opaque token that no token service ever issued; distinct per `n`. */
export function randomOpaqueToken(n: number): string {
  const random = crypto.getRandomValues(new Uint8Array(16))
  return `mt_${n.toString(36)}x${Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('')}`
}

/** A logger that keeps every line. */
export interface RecordingLogger extends Logger {
  lines: string[]
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = []
  const keep = (message: string) => {
    lines.push(message)
  }
  return { lines, warn: keep, error: keep, info: keep, debug: keep }
}

/** Runs `fn` over `items` with at most `concurrency` at a time; results in order. */
export async function pooled<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return results
}
