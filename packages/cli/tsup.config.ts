import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.base.js'

export default defineConfig({
  ...packageBuild,
  // bin.ts keeps its `#!/usr/bin/env node` line: tsup preserves a leading shebang and marks the file
  // executable.
  entry: ['src/index.ts', 'src/bin.ts'],
  dts: { entry: 'src/index.ts', compilerOptions: { customConditions: [] } },
  // The executable is ESM only (`bin` points at dist/bin.js): a CJS copy would ship unused.
  esbuildOptions(options, { format }) {
    if (format === 'cjs') options.entryPoints = ['src/index.ts']
  },
})
