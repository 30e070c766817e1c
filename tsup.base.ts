import type { Options } from 'tsup'

/**
 * The build every package shares: dual ESM + CJS with `.d.ts`/`.d.cts`, built against `dist` of its
 * siblings (the `@m2m-auth/source` condition is cleared for declarations), targeting Node 20.
 *
 * No source maps: they would point at `src/`, which the tarballs do not ship. The output is not
 * minified (esbuild only strips types and comments), so a stack frame in `dist/index.js` is readable
 * and names a file the installed package has.
 */
export const packageBuild: Options = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { customConditions: [] } },
  tsconfig: 'tsconfig.build.json',
  clean: true,
  sourcemap: false,
  target: 'node20',
}
