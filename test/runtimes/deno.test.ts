import { describeRuntime } from './checks.js'
import { baseEnv, findBinary, startServerProcess } from './process.js'

const deno = findBinary('node_modules/.bin/deno', 'deno')

describeRuntime('Deno', 'deno', deno !== undefined, async ({ env }) => {
  const server = await startServerProcess({
    command: deno!,
    // --no-lock: a test run must not write deno.lock into the repository.
    args: [
      'run',
      '--no-lock',
      '--allow-net=127.0.0.1',
      '--allow-env',
      '--allow-read',
      'examples/hono/src/deno.mjs',
    ],
    env: { ...baseEnv(), ...env, PORT: '0', DENO_NO_UPDATE_CHECK: '1' },
  })
  return { fetch: (path, init) => fetch(`${server.url}${path}`, init), stop: server.stop }
})
