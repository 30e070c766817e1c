import { execFileSync } from 'node:child_process'
import { describeRuntime } from './checks.js'
import { baseEnv, findBinary, startServerProcess } from './process.js'

// The whole suite runs on Node 24 through `pnpm test:node24`; this checks the example server there.
const node24 = findBinary('tools/node24/node_modules/.bin/node', 'Node 24')

describeRuntime('Node 24 (@hono/node-server)', 'node', node24 !== undefined, async ({ env }) => {
  const version = execFileSync(node24!, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim()
  if (!version.startsWith('v24.')) throw new Error(`tools/node24 runs ${version}, not Node 24`)
  const server = await startServerProcess({
    command: node24!,
    args: ['examples/hono/server.mjs'],
    env: { ...baseEnv(), ...env, PORT: '0' },
  })
  return { fetch: (path, init) => fetch(`${server.url}${path}`, init), stop: server.stop }
})
