/** `@m2m-auth/emulator/jest/setup`: jest's `globalSetup` module (starts the run's emulator). */
import { globalSetup } from './jest.js'

export default globalSetup
