import { defineConfig } from 'tsup'
import { packageBuild } from '../../tsup.base.js'

// The `#transport` variants are entries of their own and `#transport` stays an import in the
// output: the consumer's runtime picks the variant through package.json `imports` conditions.
// Declarations resolve `#transport` to its source (core has no sibling packages to build against).
export default defineConfig({
  ...packageBuild,
  entry: {
    index: 'src/index.ts',
    'transport.node': 'src/client/transport.node.ts',
    'transport.fetch': 'src/client/transport.fetch.ts',
  },
  external: ['#transport'],
  dts: { compilerOptions: { customConditions: ['@m2m-auth/source'] } },
})
