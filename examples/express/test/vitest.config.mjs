// One emulator for this example's test run, handed to the tests through inject('m2mEmulator').
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    name: 'example-express',
    root: import.meta.dirname,
    globalSetup: ['@m2m-auth/emulator/vitest'],
    environment: 'node',
  },
})
