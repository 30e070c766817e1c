// Small statistics and output helpers shared by the micro-benchmarks of bench/ (medians over
// alternating rounds, percentiles, and the JSON file each one leaves for the runner's report).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** The `p`-th percentile (0..100) of `values`, nearest rank. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]
}

/** CPU time of this process (user + system), in microseconds. */
export function cpuMicros() {
  const { user, system } = process.cpuUsage()
  return user + system
}

/**
 * Leaves `result` for the runner (bench/run.mjs), which draws RESULTS.md and the chart from it:
 * written to $BENCH_OUT/<name>.json when the runner set BENCH_OUT.
 */
export function report(name, result) {
  const dir = process.env.BENCH_OUT
  if (dir) writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`)
}

export const quick = process.env.BENCH_QUICK === '1'
