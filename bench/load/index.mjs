// The load benchmark: starts the emulator, then for every round fresh server processes, measures
// every row in interleaved rounds, and returns the samples. Every child is stopped before this
// resolves or rejects.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTokens, startEmulatorProcess } from './emulator.mjs'
import { checkCorrectness, runLoad, runProblems } from './measure.mjs'
import { stopAll } from './processes.mjs'
import { lastUses, rowsFor, schedule, serverKey, VARIANTS } from './scenarios.mjs'
import { startServers } from './servers.mjs'

/** Where --cpu-prof writes, when BENCH_CPU_PROF=1 (BENCH_CPU_PROF_DIR, else a fresh temp dir). */
function profileDir() {
  if (process.env.BENCH_CPU_PROF !== '1') return undefined
  return process.env.BENCH_CPU_PROF_DIR || mkdtempSync(join(tmpdir(), 'm2m-auth-bench-prof-'))
}

/**
 * How long a round's freshly started servers are left idle before its first row. On Node 20 an
 * idle new process runs V8's memory reducer (`--trace-gc`: a `Mark-Compact (reduce)`) about 8 s
 * after it started: the 12 servers of a goal round took 400-450 ms of CPU between 7 and 10 s after
 * their start, 2-4 ms a second before and after (`node bench/idle-cpu.mjs`; Node 24: no such burst). Unsettled, that fell on the second row of every round
 * (Hono's (b) in every other goal round: 8-10% fewer req/s there). Not in a --quick smoke run.
 */
export const SETTLE_MS = 10_000

/** Connections of the pass that fills a cache with every token (latency-bound: more help). */
const FILL_CONNECTIONS = 32

/** The variants whose cache the warm-up fills. */
const CACHED = new Set(['m2m', 'm2m-held'])

/**
 * Warms the server up (results dropped): a cached variant first gets one request per token (so
 * its cache is warm), then every variant gets `warmupS` seconds of the measured load.
 */
async function warmUp(load, row, warmupS) {
  const runs = []
  if (row.tokens > 1 && CACHED.has(row.variant)) {
    const fill = {
      amount: row.tokens,
      connections: Math.min(FILL_CONNECTIONS, row.tokens),
      overallRate: undefined,
    }
    runs.push(await load(fill))
  }
  if (warmupS > 0) runs.push(await load({ durationS: warmupS }))
  return runs.flatMap((run) => runProblems(run).map((p) => `warm-up: ${p}`))
}

async function measureStep({ server, row, round, context }) {
  const { emulator, tokens, subject, options } = context
  const rowTokens = tokens.slice(0, row.tokens)
  const base = { framework: server.framework, row, round }
  const open = row.variant === 'none' || row.variant === 'noop'
  const load = (extra) =>
    runLoad({
      baseUrl: server.baseUrl,
      tokens: rowTokens,
      connections: options.connections,
      overallRate: options.rate,
      ...extra,
    })
  try {
    await checkCorrectness({
      baseUrl: server.baseUrl,
      tokens: rowTokens,
      // The no-auth and no-op rows answer anonymously and protect nothing.
      expectedSubject: open ? 'anonymous' : subject,
      protectedRoute: !open,
    })
    const warmupProblems = await warmUp(load, row, options.warmupS)
    const [before, cpuBefore, emuBefore] = [await emulator.stats(), await server.cpu(), await emulator.cpu()]
    const startedAt = performance.now()
    const result = await load({ durationS: options.durationS })
    const windowMs = performance.now() - startedAt
    const [after, cpuAfter, emuAfter] = [await emulator.stats(), await server.cpu(), await emulator.cpu()]
    const emulatorCpuUs = emuAfter.user + emuAfter.system - emuBefore.user - emuBefore.system
    const cpuUs = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system
    const problems = [...warmupProblems, ...runProblems(result)]
    return { ...base, result, calls: after.verify - before.verify, cpuUs, emulatorCpuUs, windowMs, problems }
  } catch (error) {
    return { ...base, error: error instanceof Error ? error.message : String(error) }
  }
}

function logStep(sample, index, total, startedAt) {
  const elapsed = ((performance.now() - startedAt) / 1000).toFixed(0)
  const where = `[${index}/${total}, ${elapsed} s] round ${sample.round + 1} ${sample.framework} ${sample.row.key}`
  if (sample.error !== undefined) return console.error(`${where}: FAILED ${sample.error}`)
  const { rps, p99 } = sample.result
  const extra = sample.problems.length > 0 ? ` PROBLEMS: ${sample.problems.join('; ')}` : ''
  const cpu = `server ${(sample.cpuUs / sample.result.total).toFixed(1)} µs/req, emulator ${(sample.emulatorCpuUs / (sample.windowMs * 10)).toFixed(1)}% of a core`
  console.error(
    `${where}: ${Math.round(rps)} req/s, p99 ${p99.toFixed(2)} ms, ${sample.calls} verify calls, ${cpu}${extra}`,
  )
}

/**
 * Runs the load benchmark.
 *
 * @param {{ frameworks: string[], rounds: number, durationS: number, warmupS: number,
 *   connections: number, latencyMs: number, tokens: number[] }} options
 * @returns {Promise<{ samples: object[], cpuProfDir: string | undefined }>}
 */
export async function runLoadBenchmark(options) {
  const startedAt = performance.now()
  try {
    const emulator = await startEmulatorProcess(options.latencyMs)
    const cpuProfDir = profileDir()
    const rows = rowsFor(options.tokens, options)
    const variants = VARIANTS.filter((variant) => rows.some((row) => row.variant === variant))
    const { tokens, subject } = await createTokens(emulator, Math.max(...options.tokens))
    const setupS = ((performance.now() - startedAt) / 1000).toFixed(1)
    console.error(`emulator and ${tokens.length} tokens ready in ${setupS} s`)
    const context = { emulator, tokens, subject, options }
    const rounds = schedule(options.frameworks, options.rounds, rows)
    const total = rounds.reduce((n, steps) => n + steps.length, 0)
    const samples = []
    for (const [round, steps] of rounds.entries()) {
      // Fresh processes every round: two processes of one and the same server can differ by 15-20
      // µs of CPU per request for the whole of their life (V8 state settled at start-up, measured
      // on this machine); a row measured in one process only would carry that as a bias.
      const servers = await startServers({
        frameworks: options.frameworks,
        variants,
        emulator,
        cpuProfDir,
        round,
      })
      if (!options.quick) await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
      const last = lastUses(steps)
      for (const [index, step] of steps.entries()) {
        const key = serverKey(step)
        const sample = await measureStep({ server: servers.get(key), row: step.row, round, context })
        samples.push(sample)
        logStep(sample, samples.length, total, startedAt)
        if (last.get(key) !== index) continue
        await servers.get(key).stop()
        servers.delete(key)
      }
      await Promise.all([...servers.values()].map((server) => server.stop()))
    }
    return { samples, cpuProfDir }
  } finally {
    // Each child is asked to exit (--cpu-prof writes a server's profile as it exits), then killed.
    await stopAll()
  }
}
