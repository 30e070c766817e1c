/**
 * Where jest's global setup keeps the emulator for the teardown: jest runs both in its parent
 * process but loads them as separate modules (separate bundles), so the handle lives on a global
 * under a registered symbol.
 */
import type { Emulator } from '../types.js'

const HANDLE = Symbol.for('@m2m-auth/emulator/jest')
type WithHandle = typeof globalThis & { [HANDLE]?: Emulator }

/** Keeps the run's emulator for the teardown. */
export function keepEmulator(emulator: Emulator): void {
  ;(globalThis as WithHandle)[HANDLE] = emulator
}

/** Takes the run's emulator back (once). */
export function takeEmulator(): Emulator | undefined {
  const holder = globalThis as WithHandle
  const emulator = holder[HANDLE]
  delete holder[HANDLE]
  return emulator
}
