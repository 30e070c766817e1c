// Starts the measured servers of one round: one child process per (framework, variant), each
// preloaded with the loopback-only fetch guard and, when BENCH_CPU_PROF=1, run under --cpu-prof.
import { fileURLToPath } from 'node:url'
import { startChild } from './processes.mjs'

const CHILD = fileURLToPath(new URL('./server-child.mjs', import.meta.url))
const GUARD = new URL('./guard.mjs', import.meta.url).href
const START_CONCURRENCY = 2

/**
 * Clerk's middleware parses a publishable key before it looks at any token. A real one encodes
 * the instance's Frontend API host followed by `$`; this one names a host that is never contacted
 * (M2M verification only calls the API URL, and the fetch guard refuses anything but loopback).
 */
export const PUBLISHABLE_KEY = `pk_test_${Buffer.from('clerk.bench.localhost$').toString('base64').replace(/=+$/, '')}`

/** The environment of a server child: ours, minus any Clerk setting of the developer's shell. */
function childEnv(config) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CLERK_')))
  return {
    ...env,
    NODE_ENV: 'production',
    // Clerk's SDK would otherwise sample telemetry events to a public endpoint.
    CLERK_TELEMETRY_DISABLED: '1',
    BENCH_SERVER: JSON.stringify(config),
  }
}

function execArgv(framework, variant, cpuProfDir, round) {
  const argv = ['--import', GUARD]
  if (cpuProfDir !== undefined) {
    argv.push(
      '--cpu-prof',
      '--cpu-prof-dir',
      cpuProfDir,
      '--cpu-prof-name',
      `${framework}-${variant}-round${round + 1}.cpuprofile`,
    )
  }
  return argv
}

async function startServer(framework, variant, emulator, cpuProfDir, round) {
  const config = {
    framework,
    variant,
    apiUrl: emulator.url,
    machineId: emulator.receiver.id,
    machineSecretKey: emulator.receiver.secretKey,
    instanceSecretKey: emulator.instanceSecretKey,
    publishableKey: PUBLISHABLE_KEY,
  }
  const name = `${framework}/${variant} server`
  const child = await startChild(CHILD, {
    name,
    env: childEnv(config),
    inheritEnv: false,
    execArgv: execArgv(framework, variant, cpuProfDir, round),
  })
  return {
    name,
    framework,
    variant,
    baseUrl: `http://127.0.0.1:${child.info.port}`,
    /** { user, system } CPU microseconds used by the server process so far. */
    cpu: () => child.request('cpu'),
    stop: child.stop,
  }
}

/**
 * Starts a server for every framework x variant, two at a time (2 cores), for round `round`.
 * Resolves a map from `framework/variant` to { name, baseUrl, stop }.
 */
export async function startServers({ frameworks, variants, emulator, cpuProfDir, round = 0 }) {
  const jobs = frameworks.flatMap((framework) => variants.map((variant) => [framework, variant]))
  const servers = new Map()
  let next = 0
  const worker = async () => {
    while (next < jobs.length) {
      const [framework, variant] = jobs[next++]
      servers.set(
        `${framework}/${variant}`,
        await startServer(framework, variant, emulator, cpuProfDir, round),
      )
    }
  }
  await Promise.all(Array.from({ length: START_CONCURRENCY }, worker))
  return servers
}
