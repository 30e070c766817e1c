// CPU per cache miss of this build's verifier against another build of @m2m-auth/core, in the same
// process and in alternating rounds (a change to the miss path is measured against its baseline,
// never against a number from another run). The verify route is a loopback fake in a process of its
// own, so this process's CPU time is the verifier's (and its HTTP client's) alone.
//
//   pnpm --filter @m2m-auth/core build
//   git worktree add /tmp/base <commit> && (cd /tmp/base && pnpm install --offline && pnpm --filter @m2m-auth/core build)
//   node bench/miss-ab.mjs --baseline /tmp/base/packages/core [--calls N] [--concurrency N] [--rounds N]
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import * as current from '@m2m-auth/core'
import { startChild, stopAll } from './load/processes.mjs'
import { cpuMicros, median } from './perf/stats.mjs'

const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    calls: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '10' },
  },
})
if (values.baseline === undefined) {
  console.error('--baseline <directory of a built @m2m-auth/core> is required')
  process.exit(2)
}
const calls = Number(values.calls)
const concurrency = Number(values.concurrency)
const rounds = Number(values.rounds)
const baseline = await import(pathToFileURL(resolve(values.baseline, 'dist/index.js')).href)

const MACHINE = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'
const fake = await startChild(fileURLToPath(new URL('./perf/fake-verify-child.mjs', import.meta.url)), {
  name: 'fake-verify',
})
// One miss after another, faster than the default budget of 50 calls/s: the budget is off.
const build = (core) =>
  core.createVerifier({
    secretKey: 'ak_bench_miss_ab',
    machineId: MACHINE,
    apiUrl: fake.info.url,
    budget: false,
  })
const verifiers = { baseline: build(baseline), current: build(current) }
const tokenOf = (n) => `mt_${n.toString(16).padStart(32, '0')}`
let next = 10_000_000

/** CPU µs per miss over `calls` distinct tokens, `concurrency` at a time. */
async function sample(verifier) {
  let started = 0
  const cpu = cpuMicros()
  const worker = async () => {
    while (started++ < calls) await verifier.verify(tokenOf(next++))
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return (cpuMicros() - cpu) / calls
}

try {
  await sample(verifiers.baseline) // warm-up of both
  await sample(verifiers.current)
  const cpu = { baseline: [], current: [] }
  const ratios = []
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['baseline', 'current'] : ['current', 'baseline']
    const got = {}
    for (const name of order) {
      got[name] = await sample(verifiers[name])
      cpu[name].push(got[name])
    }
    ratios.push(got.current / got.baseline)
  }
  const misses = verifiers.current.stats().misses + verifiers.baseline.stats().misses
  if (misses < 2 * calls * (rounds + 1)) throw new Error(`expected every call to miss, saw ${misses} misses`)
  console.log(
    `${concurrency} in flight, ${calls} misses x ${rounds} alternating rounds: baseline ${median(cpu.baseline).toFixed(1)} µs, ` +
      `current ${median(cpu.current).toFixed(1)} µs of CPU per miss; current / baseline ${median(ratios).toFixed(3)} ` +
      `(median of paired rounds; rounds ${ratios.map((r) => r.toFixed(2)).join(' ')})`,
  )
} finally {
  await stopAll()
}
