// Runs the micro-benchmarks that other engineers keep in bench/ (`*.bench.mjs`, `*.bench.js`,
// `*.bench.ts`), each in its own process, one after the other, with their own output. TypeScript
// ones run through tsx. With --quick every one gets BENCH_QUICK=1, and the known ones the options
// that make them short (their option parsers are strict: an option they do not declare is fatal).
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { track } from './processes.mjs'

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url))
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const PATTERN = /\.bench\.(?:mjs|js|ts)$/

/** Options that shorten each known micro-benchmark in --quick mode (a few seconds each). */
const QUICK_ARGS = {
  'formats.bench.ts': ['--rounds', '1', '--scale', '0.2'],
  'jwt.bench.ts': ['--time', '300', '--cpu-ops', '1000'],
  'verifier-hit.bench.mjs': ['--time', '300'],
  'dispatch.bench.mjs': ['--rounds', '6', '--calls', '20000'],
  'memory.bench.mjs': ['--tokens', '5000', '--cached', '1000'],
  'refresh.bench.mjs': ['--seconds', '0.6', '--rounds', '1', '--misses', '50', '--tokens', '1'],
  'transport.bench.mjs': ['--calls', '100', '--rounds', '2'],
}

/** The micro-benchmark files present now, sorted by name. */
export function microBenchmarks() {
  return readdirSync(BENCH_DIR)
    .filter((name) => PATTERN.test(name))
    .sort()
}

function runOne(file, { quick }) {
  const args = [
    ...(file.endsWith('.ts') ? ['--import', 'tsx'] : []),
    `bench/${file}`,
    ...(quick ? (QUICK_ARGS[file] ?? []) : []),
  ]
  const timeoutMs = quick ? 120_000 : 900_000
  return new Promise((resolve) => {
    const child = track(
      spawn(process.execPath, args, {
        cwd: REPO_ROOT,
        env: { ...process.env, ...(quick ? { BENCH_QUICK: '1' } : {}) },
        stdio: ['ignore', 'inherit', 'inherit'],
      }),
    )
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      resolve({ file, ok: false, detail: error.message })
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      const detail = signal === 'SIGKILL' ? `killed after ${timeoutMs / 1000} s` : `exit ${signal ?? code}`
      resolve({ file, ok: code === 0, detail })
    })
  })
}

/** Runs every micro-benchmark; resolves one { file, ok, detail } per file. */
export async function runMicroBenchmarks(options) {
  const results = []
  for (const file of microBenchmarks()) {
    console.log(`\n## Micro-benchmark: bench/${file}\n`)
    results.push(await runOne(file, options))
  }
  return results
}
