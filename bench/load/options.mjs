// Command-line options of `pnpm bench` (bench/run.mjs).
import { parseArgs } from 'node:util'

export const FRAMEWORKS = ['express', 'fastify', 'hono']

export const USAGE = `Usage: pnpm bench [options]   (= turbo run build && node bench/run.mjs [options])

  --quick              a short smoke run (CI): 1 round, 0.8 s per row, 0.3 s warm-up, 100 tokens,
                       shortened micro-benchmarks; does not write RESULTS.md
  --rounds N           rounds of interleaved rows; medians are taken over rounds (default 3)
  --duration S         measured seconds per row and round (default 10)
  --warmup S           warm-up seconds before each measured run (default 2)
  --connections N      concurrent autocannon connections (default 10)
  --tokens LIST        distinct tokens of each group of many-token rows, comma-separated
                       (default 1000,10000; --quick: 100)
  --latency MS         fixed latency the emulator adds to each token-service call (default 2)
  --rate N             offer N req/s to every row (open loop) instead of as many as it answers, so
                       every server runs at the same throughput; at such a rate a bigger process
                       (m2m-auth's, which loads undici) costs more per request whatever its hook
                       does (node bench/import-cost.mjs), so these rows do not measure the hit;
                       runs only the no-auth, no-op and cached m2m-auth rows, and writes its own
                       section of bench/RESULTS.md
  --goal               only the rows of the many-token goal: no auth, the no-op control, m2m-auth and
                       its (h) control, with the first --tokens count; meant for many short rounds
                       (each round has fresh server processes, so the medians average over many
                       processes); implies --only load; writes its own section of bench/RESULTS.md
  --frameworks LIST    comma-separated subset of ${FRAMEWORKS.join(',')} (default all)
  --only load|micro    run only the load benchmark or only the micro-benchmarks (default both)
  --write / --no-write write the load section of bench/RESULTS.md (default: write unless --quick)
  --help

Environment: BENCH_CPU_PROF=1 runs every server under node --cpu-prof and prints where its CPU time
went (profiles in BENCH_CPU_PROF_DIR, else a temp dir).`

function number(name, text, { min, integer }) {
  const value = Number(text)
  if (text === undefined || text.trim() === '' || !Number.isFinite(value) || value < min) {
    throw new Error(`--${name} must be a number >= ${min}`)
  }
  if (integer && !Number.isInteger(value)) throw new Error(`--${name} must be an integer`)
  return value
}

function frameworks(text) {
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  const unknown = list.filter((f) => !FRAMEWORKS.includes(f))
  if (list.length === 0 || unknown.length > 0) {
    throw new Error(`--frameworks: expected a comma-separated subset of ${FRAMEWORKS.join(',')}`)
  }
  return [...new Set(list)]
}

/** Parses argv (without node and the script). Throws an Error with a usable message. */
export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      latency: { type: 'string' },
      rate: { type: 'string' },
      goal: { type: 'boolean', default: false },
      tokens: { type: 'string' },
      frameworks: { type: 'string' },
      only: { type: 'string' },
      write: { type: 'boolean' },
      'no-write': { type: 'boolean' },
      help: { type: 'boolean', default: false },
    },
  })
  const quick = values.quick
  const only = values.only ?? 'all'
  if (!['all', 'load', 'micro'].includes(only)) throw new Error('--only must be load or micro')
  if (values.goal && (quick || values.rate !== undefined))
    throw new Error('--goal runs its own rows: it excludes --quick and --rate')
  if (values.goal && only === 'micro') throw new Error('--goal is a load benchmark: it excludes --only micro')
  if (values.write && values['no-write']) throw new Error('--write and --no-write exclude each other')
  return {
    help: values.help,
    quick,
    goal: values.goal,
    // A goal run is a load run: the micro-benchmarks would only make it longer.
    only: values.goal ? 'load' : only,
    write: values.write ?? (values['no-write'] ? false : !quick),
    rounds: number('rounds', values.rounds ?? (quick ? '1' : '3'), { min: 1, integer: true }),
    durationS: number('duration', values.duration ?? (quick ? '0.8' : '10'), { min: 0.5 }),
    warmupS: number('warmup', values.warmup ?? (quick ? '0.3' : '2'), { min: 0 }),
    connections: number('connections', values.connections ?? '10', { min: 1, integer: true }),
    latencyMs: number('latency', values.latency ?? '2', { min: 0 }),
    rate: values.rate === undefined ? undefined : number('rate', values.rate, { min: 1, integer: true }),
    tokens: (values.tokens ?? (quick ? '100' : '1000,10000'))
      .split(',')
      .map((n) => number('tokens', n, { min: 2, integer: true })),
    frameworks: values.frameworks === undefined ? FRAMEWORKS : frameworks(values.frameworks),
  }
}
