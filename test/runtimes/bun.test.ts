import { describeRuntime } from './checks.js'
import { baseEnv, findBinary, startServerProcess } from './process.js'

const bun = findBinary('node_modules/.bin/bun', 'bun')

describeRuntime('Bun', 'bun', bun !== undefined, async ({ env }) => {
  const server = await startServerProcess({
    command: bun!,
    args: ['run', 'examples/hono/src/bun.mjs'],
    env: { ...baseEnv(), ...env, PORT: '0' },
  })
  return { fetch: (path, init) => fetch(`${server.url}${path}`, init), stop: server.stop }
})
