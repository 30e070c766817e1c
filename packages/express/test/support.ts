/**
 * Shared set-up of the package tests: an emulator (the default two machines) on loopback, the
 * options an API running as the second machine uses, and a way to mint tokens as the first.
 */
import {
  type Emulator,
  type EmulatorMachine,
  type IssueTokenParams,
  issueToken,
  startTestEmulator,
  type TestClock,
} from '../../../test/helpers/emulator.js'
import { loopbackFetch } from '../../../test/helpers/http.js'
import type { M2MAuthOptions } from '../src/index.js'

export { express4, express5 } from '../../../test/helpers/express.js'
export { loopbackFetch } from '../../../test/helpers/http.js'

export interface Fixture {
  emulator: Emulator
  clock: TestClock
  /** Sends the tokens (`orders-service`, scoped to `api`). */
  caller: EmulatorMachine
  /** The API under test runs as this machine (`billing-service`). */
  api: EmulatorMachine
  /** Verifier options of the API: instance key + machine id, loopback-only fetch, no retry wait. */
  options: M2MAuthOptions & { secretKey: string; apiUrl: string }
  /** `Bearer <a fresh token of caller>`. */
  bearer(params?: IssueTokenParams): Promise<string>
  close(): Promise<void>
}

export async function startFixture(): Promise<Fixture> {
  const { emulator, clock } = await startTestEmulator()
  const [caller, api] = emulator.machines
  if (!caller || !api) throw new Error('the emulator should start with two machines')
  return {
    emulator,
    clock,
    caller,
    api,
    options: {
      secretKey: emulator.secretKey,
      apiUrl: emulator.url,
      machineId: api.id,
      fetch: loopbackFetch,
      retry: { maxAttempts: 2, initialDelayMs: 10, maxElapsedMs: 300 },
    },
    bearer: async (params) => `Bearer ${(await issueToken(emulator.url, caller.secretKey, params)).token}`,
    close: () => emulator.close(),
  }
}
