/**
 * `@m2m-auth/emulator/node-test`: an emulator for `node:test` files. {@link useEmulator} starts one
 * in a `before` hook and closes it in an `after` hook of the suite it is called in; when the run
 * already has one (`M2M_AUTH_EMULATOR` is set, e.g. by a script that started it), it connects to
 * that instead.
 *
 * @example
 * ```js
 * import { test } from 'node:test'
 * import { useEmulator } from '@m2m-auth/emulator/node-test'
 *
 * const emulator = useEmulator()
 * test('a token passes', async () => {
 *   const { token } = await emulator.mintToken({ from: 'orders-service' })
 * })
 * ```
 */
import { after, before } from 'node:test'
import { connectEmulator, type EmulatorClient } from '../remote.js'
import { startEmulator } from '../server.js'
import type { Emulator, EmulatorOptions } from '../types.js'
import { connectFromEnv, EMULATOR_ENV_VAR, lazyClient } from './shared.js'

/**
 * Registers `before`/`after` hooks that start and close an emulator, and returns its client (usable
 * from the `before` hook on).
 *
 * @param options - emulator options (machines, seed...). @default the default machines
 */
export function useEmulator(options: EmulatorOptions = {}): EmulatorClient {
  let client: EmulatorClient | undefined
  let started: Emulator | undefined
  before(async () => {
    if (process.env[EMULATOR_ENV_VAR]) {
      client = connectFromEnv('set by whoever started the run')
      return
    }
    started = await startEmulator(options)
    client = connectEmulator(started.info())
  })
  after(async () => {
    client = undefined
    await started?.close()
  })
  return lazyClient(() => client, 'useEmulator(): the emulator is ready from the before() hook on')
}
