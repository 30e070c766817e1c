/**
 * `@m2m-auth/emulator/jest/setup`: jest's `globalSetup` module; starts the run's emulator (default
 * machines `orders-service` and `billing-service`). For other options, write your own setup module:
 *
 * @example
 * ```js
 * // test/emulator-setup.cjs, as globalSetup
 * module.exports = require('@m2m-auth/emulator/jest/setup').emulatorGlobalSetup({ seed: 'ci' })
 * ```
 */
import { startEmulator } from '../server.js'
import type { EmulatorOptions } from '../types.js'
import { keepEmulator } from './jest-handle.js'
import { publishInfo } from './shared.js'

/** A jest `globalSetup` with emulator options. */
export function emulatorGlobalSetup(options: EmulatorOptions = {}): () => Promise<void> {
  return async function globalSetup() {
    const emulator = await startEmulator(options)
    keepEmulator(emulator)
    publishInfo(emulator.info())
  }
}

/** The default `globalSetup`. */
export default emulatorGlobalSetup()
