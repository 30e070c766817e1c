import { defineConfig } from 'vitest/config'

const conditions = ['@m2m-auth/source']
const edgeConditions = [...conditions, 'edge-light', 'worker']

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'core',
          include: ['packages/core/test/**/*.test.ts'],
          exclude: ['**/*.edge.test.ts', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        extends: true,
        // The conditions of an edge runtime (Vercel's edge-light): `#transport` resolves to fetch.
        resolve: { conditions: edgeConditions },
        ssr: { resolve: { conditions: edgeConditions, externalConditions: edgeConditions } },
        test: {
          name: 'core-edge',
          include: ['packages/core/test/**/*.edge.test.ts'],
          environment: 'edge-runtime',
        },
      },
      {
        extends: true,
        test: {
          name: 'packages',
          include: [
            'packages/{emulator,cli,express,fastify,hono,redis-store,undici,workers-store}/test/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      { extends: true, test: { name: 'cross', include: ['test/**/*.test.ts'], environment: 'node' } },
      // Each example's own suite, configured as its README tells a user (emulator globalSetup).
      'examples/*/test/vitest.config.mjs',
    ],
    testTimeout: 20000,
    hookTimeout: 30000,
  },
})
