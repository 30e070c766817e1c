import type { Options } from 'tsup'

/**
 * The build every package shares: dual ESM + CJS with `.d.ts`/`.d.cts`, built against `dist` of its
 * siblings (the `@m2m-auth/source` condition is cleared for declarations), targeting Node 20.
 */
export const packageBuild: Options = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { customConditions: [] } },
  tsconfig: 'tsconfig.build.json',
  clean: true,
  sourcemap: true,
  target: 'node20',
}
