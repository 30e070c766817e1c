/**
 * `connectEmulator(info)`: the test helpers over HTTP, for tests that run in another process than
 * the emulator (a test runner's global setup starts it; its workers connect). Everything goes
 * through the admin routes, which are never faulted, so a test can mint and revoke tokens while it
 * makes the token routes fail.
 */
import type { M2MToken } from '@m2m-auth/core'
import { envForMachine, pickMachine } from './machine-env.js'
import type {
  EmulatorEnv,
  EmulatorInfo,
  EmulatorMachine,
  EmulatorStats,
  Faults,
  LatencyMs,
  MintTokenInput,
} from './types.js'

/** Options of {@link connectEmulator}. */
export interface ConnectEmulatorOptions {
  /** Time allowed for each admin request, in milliseconds. @default 5000 */
  timeoutMs?: number
}

/** An emulator running elsewhere (another process), driven through its admin routes. */
export interface EmulatorClient {
  readonly url: string
  /** The instance Secret Key (`sk_...`). */
  readonly secretKey: string
  /** The machines known when connecting, plus the ones created through this client. */
  readonly machines: EmulatorMachine[]
  /** A machine by name or id; throws a `TypeError` when there is none. */
  machine(ref: string): EmulatorMachine
  /** The environment of the API under test, which receives tokens as `machine` (name or id). */
  envFor(machine: string): EmulatorEnv
  /** Mints a token (never faulted). */
  mintToken(input: MintTokenInput): Promise<M2MToken>
  /** Revokes a stored (opaque) token by id. */
  revokeToken(id: string, options?: { reason?: string }): Promise<M2MToken>
  /** Replaces the active faults (`{}` clears them). */
  setFaults(faults: Faults): Promise<void>
  /** Clears every fault. */
  clearFaults(): Promise<void>
  setLatency(latencyMs: LatencyMs): Promise<void>
  createMachine(input: { name: string; scopes?: string[] }): Promise<EmulatorMachine>
  grantScope(from: string, to: string): Promise<void>
  stats(): Promise<EmulatorStats>
  resetStats(): Promise<void>
}

function checkInfo(info: EmulatorInfo): void {
  const ok =
    typeof info === 'object' &&
    info !== null &&
    typeof info.url === 'string' &&
    typeof info.secretKey === 'string' &&
    Array.isArray(info.machines)
  if (!ok) throw new TypeError('connectEmulator: expected { url, secretKey, machines } (emulator.info())')
}

/** `(method, action, body?)` -> the admin route's JSON answer; a non-2xx answer throws its message. */
function adminCaller(info: EmulatorInfo, timeoutMs: number) {
  return async (method: string, action: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${info.url}/__emulator/${action}`, {
      method,
      headers: { authorization: `Bearer ${info.secretKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    })
    const answer = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined
    if (res.ok) return answer
    const first = (answer?.errors as Array<{ long_message?: string }> | undefined)?.[0]
    throw new Error(`emulator ${action}: HTTP ${res.status}: ${first?.long_message ?? 'no details'}`)
  }
}

/**
 * Connects to a running emulator from its {@link EmulatorInfo}. Speaks to `/__emulator/...` (the
 * admin routes) with the instance key.
 *
 * @example
 * ```ts
 * const emulator = connectEmulator(JSON.parse(process.env.M2M_AUTH_EMULATOR!))
 * const { token } = await emulator.mintToken({ from: 'orders-service' })
 * await emulator.setFaults({ errorRate: 1, errorStatus: 503, routes: ['verify'] })
 * ```
 */
export function connectEmulator(info: EmulatorInfo, options: ConnectEmulatorOptions = {}): EmulatorClient {
  checkInfo(info)
  const timeoutMs = options.timeoutMs ?? 5000
  if (!(timeoutMs > 0)) throw new RangeError('connectEmulator: timeoutMs must be a number > 0')
  const machines = [...info.machines]
  const admin = adminCaller(info, timeoutMs)
  return {
    url: info.url,
    secretKey: info.secretKey,
    get machines() {
      return [...machines]
    },
    machine: (ref) => pickMachine(machines, ref, 'machine'),
    envFor: (ref) => envForMachine(info.url, pickMachine(machines, ref, 'envFor')),
    mintToken: async (input) => (await admin('POST', 'tokens', input)) as M2MToken,
    revokeToken: async (id, opts = {}) =>
      (await admin('POST', 'revoke-token', { id, reason: opts.reason })) as M2MToken,
    setFaults: async (faults) => void (await admin('POST', 'faults', faults)),
    clearFaults: async () => void (await admin('POST', 'faults', {})),
    setLatency: async (latencyMs) => void (await admin('POST', 'latency', { latencyMs })),
    async createMachine(input) {
      const created = (await admin('POST', 'machines', input)) as EmulatorMachine
      machines.push(created)
      return created
    },
    grantScope: async (from, to) => void (await admin('POST', 'grant-scope', { from, to })),
    stats: async () => (await admin('GET', 'stats')) as EmulatorStats,
    resetStats: async () => void (await admin('POST', 'reset-stats')),
  }
}
