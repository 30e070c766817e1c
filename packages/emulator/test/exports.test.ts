import { expect, expectTypeOf, it, type ProvidedContext } from 'vitest'
import type { EmulatorInfo } from '../src/index.js'
import * as api from '../src/index.js'
import type {} from '../src/runners/vitest.js'

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

it('gives each test-runner subpath exactly its documented names', async () => {
  const names = async (path: string) => Object.keys(await import(path)).sort()
  expect({
    vitest: await names('../src/runners/vitest.js'),
    jest: await names('../src/runners/jest.js'),
    jestSetup: await names('../src/runners/jest-setup.js'),
    jestTeardown: await names('../src/runners/jest-teardown.js'),
    nodeTest: await names('../src/runners/node-test.js'),
  }).toEqual({
    vitest: ['PROVIDE_KEY', 'default', 'emulatorGlobalSetup'],
    jest: ['useEmulator'],
    jestSetup: ['default', 'emulatorGlobalSetup'],
    jestTeardown: ['default'],
    nodeTest: ['useEmulator'],
  })
})

it('types what the vitest entry provides, so inject("m2mEmulator") needs no cast', () => {
  expectTypeOf<ProvidedContext['m2mEmulator']>().toEqualTypeOf<EmulatorInfo>()
  expectTypeOf(api.connectEmulator).parameter(0).toEqualTypeOf<EmulatorInfo>()
})
