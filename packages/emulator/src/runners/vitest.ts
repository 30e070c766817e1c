/**
 * `@m2m-auth/emulator/vitest`: a vitest global setup that starts one emulator for the whole run and
 * hands its {@link EmulatorInfo} to the tests through `provide`/`inject`.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({ test: { globalSetup: ['@m2m-auth/emulator/vitest'] } })
 *
 * // a test
 * import { inject } from 'vitest'
 * import { connectEmulator } from '@m2m-auth/emulator'
 * const emulator = connectEmulator(inject('m2mEmulator'))
 * ```
 */
import type {} from 'vitest'
import { startEmulator } from '../server.js'
import type { EmulatorInfo, EmulatorOptions } from '../types.js'
import { EMULATOR_ENV_VAR, publishInfo } from './shared.js'

/** The `inject()` key under which the run's emulator is provided. */
export const PROVIDE_KEY = 'm2mEmulator'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's emulator, from `@m2m-auth/emulator/vitest`: pass it to `connectEmulator()`. */
    m2mEmulator: EmulatorInfo
  }
}

/** The part of vitest's `TestProject` a global setup uses (kept structural across vitest versions). */
export interface ProvidingProject {
  provide(key: typeof PROVIDE_KEY, value: EmulatorInfo): void
}

/**
 * A vitest global setup with emulator options (machines, seed...). Export it as the default of your
 * own setup file when the defaults do not fit.
 *
 * @example
 * ```ts
 * // test/emulator-setup.ts, listed in globalSetup
 * export default emulatorGlobalSetup({ machines: [{ name: 'api' }, { name: 'worker', scopes: ['api'] }] })
 * ```
 */
export function emulatorGlobalSetup(options: EmulatorOptions = {}) {
  return async function setup(project: ProvidingProject): Promise<() => Promise<void>> {
    const emulator = await startEmulator(options)
    const info = emulator.info()
    project.provide(PROVIDE_KEY, info)
    const published = publishInfo(info) // also for child processes a test may start
    return async () => {
      // Several projects may each have published theirs: only take back our own.
      if (process.env[EMULATOR_ENV_VAR] === published) delete process.env[EMULATOR_ENV_VAR]
      await emulator.close()
    }
  }
}

/** The default global setup: an emulator with the default machines (`orders-service`, `billing-service`). */
export default emulatorGlobalSetup()
