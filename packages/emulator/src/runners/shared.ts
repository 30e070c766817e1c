/**
 * What every test-runner entry shares: the environment variable that carries an emulator's
 * {@link EmulatorInfo} from a global setup to the test processes, and the lazy client a test file
 * holds before its `before` hook has connected it.
 */
import { type ConnectEmulatorOptions, connectEmulator, type EmulatorClient } from '../remote.js'
import type { EmulatorInfo } from '../types.js'

/** The environment variable holding the JSON {@link EmulatorInfo} of the run's emulator. */
export const EMULATOR_ENV_VAR = 'M2M_AUTH_EMULATOR'

/** The run's emulator from {@link EMULATOR_ENV_VAR}; throws a message naming the missing setup. */
export function connectFromEnv(setupHint: string, options?: ConnectEmulatorOptions): EmulatorClient {
  const raw = process.env[EMULATOR_ENV_VAR]
  if (raw === undefined || raw === '') {
    throw new Error(`${EMULATOR_ENV_VAR} is not set: ${setupHint}`)
  }
  return connectEmulator(JSON.parse(raw) as EmulatorInfo, options)
}

/** Writes `info` where {@link connectFromEnv} (in this process and its children) finds it. */
export function publishInfo(info: EmulatorInfo): string {
  const value = JSON.stringify(info)
  process.env[EMULATOR_ENV_VAR] = value
  return value
}

/**
 * An {@link EmulatorClient} whose calls wait for `current()`: test files create it at load time,
 * before their `before` hook has connected it.
 */
export function lazyClient(current: () => EmulatorClient | undefined, notReady: string): EmulatorClient {
  const get = (): EmulatorClient => {
    const client = current()
    if (!client) throw new Error(notReady)
    return client
  }
  return {
    get url() {
      return get().url
    },
    get secretKey() {
      return get().secretKey
    },
    get machines() {
      return get().machines
    },
    machine: (ref) => get().machine(ref),
    envFor: (ref) => get().envFor(ref),
    mintToken: (input) => get().mintToken(input),
    revokeToken: (id, options) => get().revokeToken(id, options),
    setFaults: (faults) => get().setFaults(faults),
    clearFaults: () => get().clearFaults(),
    setLatency: (latencyMs) => get().setLatency(latencyMs),
    createMachine: (input) => get().createMachine(input),
    grantScope: (from, to) => get().grantScope(from, to),
    stats: () => get().stats(),
    resetStats: () => get().resetStats(),
  }
}
