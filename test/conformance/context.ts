import {
  type Emulator,
  issueToken,
  revokeToken,
  startEmulator,
  startTestEmulator,
  type TestClock,
} from '../helpers/emulator.js'
import { loopbackFetch } from '../helpers/http.js'
import type { ConformanceMachines, RowContext } from './rows/types.js'
import type { SubjectOptions } from './subjects/types.js'

/** The emulator, machines and default subject options shared by every row of a run. */
export interface ConformanceEnvironment {
  /** What a subject is started with unless a row says otherwise. */
  base: SubjectOptions
  /** A context for one row, with the undo list and the secrets that must never be echoed. */
  forRow(): RowScope
  close(): Promise<void>
}

/** One row's view of the environment. */
export interface RowScope {
  ctx: RowContext
  /** Every credential this row created or sent, plus every secret key of the emulator. */
  secrets(): string[]
  /** Undoes faults and clock moves made by the row. */
  cleanup(): Promise<void>
}

const REALM = 'conformance'

/** Starts the emulator (five machines, see {@link ConformanceMachines}) and a stopped one. */
export async function startConformanceEnvironment(): Promise<ConformanceEnvironment> {
  const { emulator, clock } = await startTestEmulator({
    machines: [
      { name: 'sender', scopes: ['receiver'] },
      { name: 'receiver' },
      { name: 'admin' },
      { name: 'privileged', scopes: ['receiver', 'admin'] },
      { name: 'stranger' },
    ],
  })
  const stopped = await startEmulator({ port: 0, host: '127.0.0.1' })
  const stoppedApiUrl = stopped.url
  await stopped.close()

  const machines = machinesByName(emulator)
  const base: SubjectOptions = {
    realm: REALM,
    scopedRouteScopes: [machines.admin.id],
    verifier: {
      secretKey: emulator.secretKey,
      apiUrl: emulator.url,
      machineId: machines.receiver.id,
      fetch: loopbackFetch,
      timeoutMs: 2000,
      // One quick retry, and a Retry-After longer than this budget ends the call at once.
      retry: { maxAttempts: 2, initialDelayMs: 10, maxElapsedMs: 500 },
    },
  }
  return {
    base,
    forRow: () => rowScope(emulator, clock, machines, stoppedApiUrl),
    close: () => emulator.close(),
  }
}

function machinesByName(emulator: Emulator): ConformanceMachines {
  const find = (name: string) => {
    const machine = emulator.machines.find((m) => m.name === name)
    if (!machine) throw new Error(`the conformance emulator has no machine named ${name}`)
    return machine
  }
  return {
    sender: find('sender'),
    receiver: find('receiver'),
    admin: find('admin'),
    privileged: find('privileged'),
    stranger: find('stranger'),
  }
}

function rowScope(
  emulator: Emulator,
  clock: TestClock,
  machines: ConformanceMachines,
  stoppedApiUrl: string,
): RowScope {
  const issued: string[] = []
  const undo: Array<() => void> = []
  const ctx: RowContext = {
    emulator,
    machines,
    realm: REALM,
    stoppedApiUrl,
    issue: async ({ from = 'sender', ...params } = {}) => {
      const token = await issueToken(emulator.url, machines[from].secretKey, params)
      issued.push(token.token)
      return token
    },
    revoke: (tokenId) => revokeToken(emulator.url, emulator.secretKey, tokenId),
    setFaults: (faults) => {
      emulator.setFaults(faults)
      undo.push(() => emulator.setFaults({}))
    },
    advanceEmulatorClock: (ms) => {
      clock.advance(ms)
      undo.push(() => clock.advance(-ms))
    },
  }
  return {
    ctx,
    secrets: () => [...issued, emulator.secretKey, ...emulator.machines.map((m) => m.secretKey)],
    cleanup: async () => {
      for (const fn of undo.reverse()) fn()
    },
  }
}
