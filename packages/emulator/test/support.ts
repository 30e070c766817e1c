import { type Emulator, type EmulatorOptions, startEmulator } from '../src/index.js'
import { Contract, templateOf } from './contract.js'

/** One shared validator: compiling the spec costs more than the tests that use it. */
export const contract = new Contract()

/** A clock tests move by hand instead of sleeping. */
export function createClock(startMs = Date.now()) {
  let nowMs = startMs
  return {
    now: () => nowMs,
    advance(ms: number) {
      nowMs += ms
    },
  }
}

/** An answer as tests see it. */
export interface Answer {
  status: number
  headers: Headers
  /** Parsed JSON (or the raw text when the body is not JSON). */
  // biome-ignore lint/suspicious/noExplicitAny: answers are arbitrary JSON that tests index freely
  body: any
}

/** Options of {@link call}. */
export interface CallOptions {
  /** Sent as `Authorization: Bearer <key>`. */
  key?: string
  /** Sent as JSON. */
  json?: unknown
  /** Sent as is (takes precedence over `json`). */
  raw?: string
  headers?: Record<string, string>
}

/**
 * A request over real loopback HTTP. Every answer of a Clerk route is checked against the OpenAPI
 * contract (and every error body against ClerkErrors) before the test sees it.
 */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`
  let body: string | undefined = options.raw
  if (body === undefined && options.json !== undefined) {
    body = JSON.stringify(options.json)
    headers['content-type'] ??= 'application/json'
  }
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // left as text: the caller asserts on it
  }
  const template = templateOf(path)
  if (template !== undefined && parsed !== text) contract.check(method, template, res.status, parsed)
  else if (res.status >= 400) contract.checkErrors(parsed)
  return { status: res.status, headers: res.headers, body: parsed }
}

/** `call` bound to one emulator. */
export function client(emulator: Emulator) {
  return (method: string, path: string, options?: CallOptions) => call(emulator.url, method, path, options)
}

/** Both path styles Clerk is reached by: `/v1/...` (the spec) and unversioned (Clerk's JS SDK). */
export const PATH_STYLES = [
  ['unversioned', ''],
  ['/v1', '/v1'],
] as const

/** Starts an emulator for one test file with a hand-moved clock. */
export async function startWithClock(options: EmulatorOptions = {}) {
  const clock = createClock()
  const emulator = await startEmulator({ now: clock.now, ...options })
  return { emulator, clock }
}
