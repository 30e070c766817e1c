/**
 * `@m2m-auth/emulator/jest`: one emulator for a jest run. `@m2m-auth/emulator/jest/setup` and
 * `/jest/teardown` are the `globalSetup` / `globalTeardown` modules; tests get a client with
 * {@link useEmulator}. The setup runs in jest's parent process and publishes the emulator in the
 * `M2M_AUTH_EMULATOR` environment variable, which the test workers inherit.
 *
 * @example
 * ```js
 * // jest.config.js
 * module.exports = {
 *   globalSetup: '@m2m-auth/emulator/jest/setup',
 *   globalTeardown: '@m2m-auth/emulator/jest/teardown',
 * }
 * // a test
 * const { useEmulator } = require('@m2m-auth/emulator/jest')
 * const emulator = useEmulator()
 * ```
 */
import type { EmulatorClient } from '../remote.js'
import { startEmulator } from '../server.js'
import type { Emulator, EmulatorOptions } from '../types.js'
import { connectFromEnv, EMULATOR_ENV_VAR, publishInfo } from './shared.js'

/** Where the setup keeps the emulator for the teardown (jest runs both in its parent process). */
const HANDLE = Symbol.for('@m2m-auth/emulator/jest')
type WithHandle = typeof globalThis & { [HANDLE]?: Emulator }

/**
 * A jest `globalSetup` with emulator options; export it from your own setup module when the
 * defaults do not fit: `module.exports = emulatorGlobalSetup({ seed: 'ci' })`.
 */
export function emulatorGlobalSetup(options: EmulatorOptions = {}): () => Promise<void> {
  return async function globalSetup() {
    const emulator = await startEmulator(options)
    ;(globalThis as WithHandle)[HANDLE] = emulator
    publishInfo(emulator.info())
  }
}

/** The jest `globalTeardown`: closes the emulator the setup started. */
export async function globalTeardown(): Promise<void> {
  const holder = globalThis as WithHandle
  const emulator = holder[HANDLE]
  delete holder[HANDLE]
  delete process.env[EMULATOR_ENV_VAR]
  await emulator?.close()
}

/** The default `globalSetup`: the default machines (`orders-service`, `billing-service`). */
export const globalSetup: () => Promise<void> = emulatorGlobalSetup()

/**
 * The run's emulator, for a test file.
 *
 * @throws Error when the jest config lacks `globalSetup: '@m2m-auth/emulator/jest/setup'`
 */
export function useEmulator(): EmulatorClient {
  return connectFromEnv("add globalSetup: '@m2m-auth/emulator/jest/setup' to the jest config")
}
