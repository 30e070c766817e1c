import { defineConfig } from 'tsup'

export default defineConfig({
  // bin.ts keeps its `#!/usr/bin/env node` line: tsup preserves a leading shebang and marks the file
  // executable.
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts', compilerOptions: { customConditions: [] } },
  tsconfig: 'tsconfig.build.json',
  clean: true,
  sourcemap: true,
  target: 'node20',
})
