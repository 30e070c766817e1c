export { ADMIN_PREFIX } from './admin.js'
export { EMULATOR_USAGE, type EmulatorCliIo, runEmulatorCli } from './cli.js'
export { MAX_BODY_BYTES } from './http.js'
export { M2M_JWT_CATEGORY } from './jwt.js'
export { DEFAULT_MACHINES } from './options.js'
export { type ConnectEmulatorOptions, connectEmulator, type EmulatorClient } from './remote.js'
export { EMULATOR_ENV_VAR } from './runners/shared.js'
export { startEmulator } from './server.js'
export {
  type Emulator,
  type EmulatorEnv,
  type EmulatorInfo,
  type EmulatorMachine,
  type EmulatorMachineSeed,
  type EmulatorOptions,
  type EmulatorStats,
  type Faults,
  type LatencyMs,
  M2M_ROUTES,
  type MintTokenInput,
  ROUTE_NAMES,
  type RouteName,
} from './types.js'
