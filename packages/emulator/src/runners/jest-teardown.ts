/** `@m2m-auth/emulator/jest/teardown`: jest's `globalTeardown` module (closes the run's emulator). */
import { globalTeardown } from './jest.js'

export default globalTeardown
