// Child process serving one app: one framework, one variant. Each measured server has its own
// process (and event loop), apart from the load generator and the emulator. Started by the
// runner with `--import guard.mjs` (loopback-only fetch) and, when BENCH_CPU_PROF=1, `--cpu-prof`.
// Configuration: BENCH_SERVER, a JSON object { framework, variant, apiUrl, machineId,
// machineSecretKey, instanceSecretKey, publishableKey } (keys travel in the environment, not argv).
import { failStartup, serveCommands } from './child-ipc.mjs'

const FRAMEWORKS = new Set(['express', 'fastify', 'hono'])
const VARIANTS = new Set(['none', 'noop', 'm2m', 'm2m-held', 'm2m-nocache', 'clerk'])

try {
  const config = JSON.parse(process.env.BENCH_SERVER ?? '{}')
  if (!FRAMEWORKS.has(config.framework)) throw new Error(`unknown framework ${config.framework}`)
  if (!VARIANTS.has(config.variant)) throw new Error(`unknown variant ${config.variant}`)
  const { start } = await import(`./apps/${config.framework}.mjs`)
  const server = await start(config.variant, config)
  // CPU time of this process (user + system, microseconds): the runner charges it to each run.
  const ready = serveCommands({ cpu: () => process.cpuUsage() }, server.close)
  ready({ port: server.port })
} catch (error) {
  failStartup(error)
}
