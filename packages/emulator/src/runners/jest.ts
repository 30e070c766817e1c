/**
 * `@m2m-auth/emulator/jest`: the test side of one emulator per jest run. `@m2m-auth/emulator/jest/setup`
 * and `/jest/teardown` are the `globalSetup` / `globalTeardown` modules: the setup runs in jest's
 * parent process and publishes the emulator in the `M2M_AUTH_EMULATOR` environment variable, which
 * the test workers inherit; {@link useEmulator} connects to it. This module loads no more than the
 * HTTP client, so it works inside jest's module sandbox on Node 20 too.
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
import { connectFromEnv } from './shared.js'

/**
 * The run's emulator, for a test file.
 *
 * @throws Error when the jest config lacks `globalSetup: '@m2m-auth/emulator/jest/setup'`
 */
export function useEmulator(): EmulatorClient {
  return connectFromEnv("add globalSetup: '@m2m-auth/emulator/jest/setup' to the jest config")
}
