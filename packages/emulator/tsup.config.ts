import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.base.js'

// One entry per subpath export: the library, and one module per test runner.
export default defineConfig({
  ...packageBuild,
  // `node:test` has no unprefixed name: keep every `node:` prefix as written.
  removeNodeProtocol: false,
  entry: {
    index: 'src/index.ts',
    vitest: 'src/runners/vitest.ts',
    jest: 'src/runners/jest.ts',
    'jest-setup': 'src/runners/jest-setup.ts',
    'jest-teardown': 'src/runners/jest-teardown.ts',
    'node-test': 'src/runners/node-test.ts',
  },
})
