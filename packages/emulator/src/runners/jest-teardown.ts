/** `@m2m-auth/emulator/jest/teardown`: jest's `globalTeardown` module; closes the run's emulator. */
import { takeEmulator } from './jest-handle.js'
import { EMULATOR_ENV_VAR } from './shared.js'

/** Closes the emulator that `@m2m-auth/emulator/jest/setup` started. */
export default async function globalTeardown(): Promise<void> {
  delete process.env[EMULATOR_ENV_VAR]
  await takeEmulator()?.close()
}
