/**
 * Machine lookup and the receiving API's environment: plain functions without any server code, so
 * the HTTP client (and the jest entry built on it) stays small enough for any runner's sandbox.
 */
import type { EmulatorEnv, EmulatorMachine } from './types.js'

/** A machine of `machines` by name or id; throws naming `at` when there is none. */
export function pickMachine(machines: readonly EmulatorMachine[], ref: string, at: string): EmulatorMachine {
  const found = machines.find((m) => m.id === ref) ?? machines.find((m) => m.name === ref)
  if (!found) throw new TypeError(`${at}: no machine named or with id ${String(ref)}`)
  return found
}

/** The environment of the API that receives tokens as `machine`, pointed at the emulator at `url`. */
export function envForMachine(url: string, machine: EmulatorMachine): EmulatorEnv {
  return { CLERK_API_URL: url, CLERK_MACHINE_SECRET_KEY: machine.secretKey, CLERK_MACHINE_ID: machine.id }
}
