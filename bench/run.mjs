// Entry point of `pnpm bench` (= `turbo run build && node bench/run.mjs [options]`; --help lists them).
// Runs the micro-benchmarks found in bench/ (each in its own process), then the load benchmark:
// Express, Fastify and Hono servers with no auth, m2m-auth (cached, uncached) and Clerk's own
// middleware, against the token service emulator. Prints the results table, writes it to
// bench/RESULTS.md (load section) unless --quick, and exits non-zero only when something crashed
// or answered wrongly; a missed performance target is reported as MISS, never as a failure.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runLoadBenchmark } from './load/index.mjs'
import { runMicroBenchmarks } from './load/micro.mjs'
import { parseOptions, USAGE } from './load/options.mjs'
import { killAllNow, runningCount, stopAll } from './load/processes.mjs'
import { summarizeProfiles } from './load/profile.mjs'
import { describeRun, renderMarkdown } from './load/report.mjs'
import { writeLoadSection, writeSection } from './load/results-file.mjs'
import { rowsFor } from './load/scenarios.mjs'
import { evaluateTargets, summarize } from './load/summary.mjs'
import { renderPerformance } from './perf/report.mjs'

const RESULTS_PATH = fileURLToPath(new URL('./RESULTS.md', import.meta.url))
const CHART_PATH = fileURLToPath(new URL('./chart.svg', import.meta.url))

function sampleProblems(samples) {
  return samples.flatMap((s) => {
    const where = `${s.framework} ${s.row.label}, round ${s.round + 1}`
    if (s.error !== undefined) return [`${where}: ${s.error}`]
    return s.problems.map((p) => `${where}: ${p}`)
  })
}

/** Runs the load benchmark and reports it; resolves the correctness problems found. */
async function loadBenchmark(options, argv) {
  const run = describeRun(options, argv)
  const { samples, cpuProfDir } = await runLoadBenchmark(options)
  const summary = summarize(samples, { ...options, rows: rowsFor(options.tokens, options) })
  const problems = sampleProblems(samples)
  const markdown = renderMarkdown({ run, summary, targets: evaluateTargets(summary), problems })
  console.log(`\n${markdown}\n`)
  if (options.write) {
    const kind = options.rate !== undefined ? 'rate' : options.goal ? 'goal' : 'load'
    await writeLoadSection(RESULTS_PATH, markdown, kind)
    console.error(`wrote the load section of ${RESULTS_PATH}`)
  }
  if (cpuProfDir !== undefined)
    console.log(`\n## CPU profiles (${cpuProfDir})\n\n${summarizeProfiles(cpuProfDir)}`)
  return { problems, summary, run }
}

/** The performance section (micro results + load summary) and the chart, written unless --no-write. */
async function performanceSection(options, dir, load, argv) {
  const run = load?.run ?? describeRun(options, argv)
  const { markdown, svg } = renderPerformance({ dir, summary: load?.summary, run })
  console.log(`\n${markdown}\n`)
  // A partial run (--only) has half of the figures: the section and the chart keep the last full
  // run's instead of being overwritten with less (the load section above is written either way).
  if (!options.write || options.only !== 'all' || options.rate !== undefined) return
  await writeSection(RESULTS_PATH, markdown, '<!-- perf:start -->', '<!-- perf:end -->')
  writeFileSync(CHART_PATH, svg)
  console.error(`wrote the performance section of ${RESULTS_PATH} and ${CHART_PATH}`)
}

async function main(argv) {
  let options
  try {
    options = parseOptions(argv)
  } catch (error) {
    console.error(`${error.message}\n\n${USAGE}`)
    return 2
  }
  if (options.help) {
    console.log(USAGE)
    return 0
  }
  const failures = []
  // The micro-benchmarks leave their figures here for the performance section and the chart.
  const out = mkdtempSync(join(tmpdir(), 'm2m-auth-bench-'))
  process.env.BENCH_OUT = out
  try {
    if (options.only !== 'load') {
      const micro = await runMicroBenchmarks(options)
      failures.push(...micro.filter((r) => !r.ok).map((r) => `micro-benchmark bench/${r.file}: ${r.detail}`))
    }
    let load
    if (options.only !== 'micro') {
      load = await loadBenchmark(options, argv)
      failures.push(...load.problems)
    }
    await performanceSection(options, out, load, argv)
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
  if (runningCount() > 0) failures.push(`${runningCount()} child process(es) still running at the end`)
  for (const failure of failures) console.error(`FAILED: ${failure}`)
  return failures.length === 0 ? 0 : 1
}

function onSignal(signal) {
  console.error(`\n${signal}: stopping every child process`)
  stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
}
process.once('SIGINT', onSignal)
process.once('SIGTERM', onSignal)
// Whatever happens, no child outlives the runner.
process.on('exit', killAllNow)

main(process.argv.slice(2)).then(
  (code) => stopAll().then(() => process.exit(code)),
  (error) => {
    console.error('bench crashed:', error)
    stopAll().finally(() => process.exit(1))
  },
)
