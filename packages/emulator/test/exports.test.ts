import { expect, it } from 'vitest'
import * as api from '../src/index.js'

// Guards the public surface: a rename or removal here is a breaking change and must be deliberate.
it('exports exactly the documented public names', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "ADMIN_PREFIX",
      "DEFAULT_MACHINES",
      "EMULATOR_ENV_VAR",
      "EMULATOR_USAGE",
      "M2M_JWT_CATEGORY",
      "M2M_ROUTES",
      "MAX_BODY_BYTES",
      "ROUTE_NAMES",
      "connectEmulator",
      "runEmulatorCli",
      "startEmulator",
    ]
  `)
})
