// The calling side: what `getToken()` costs on a current token, and how many create calls 1,000
// concurrent first callers cause, against baselines measured in the same run.
//
//   pnpm build && node bench/token-source.bench.mjs                                  (built dist)
//   node --conditions=@m2m-auth/source --import tsx bench/token-source.bench.mjs   (sources)
//
// Part 1 (hot path): each sample awaits BATCH sequential calls, so the timer's own cost (tens of ns)
// does not dominate; the token service is a fetch function answering one create call, made before
// measuring (the bench fails if any other create was made). Part 2 (process CPU per call): the same
// calls counted against process.cpuUsage(), best of --rounds interleaved rounds. Part 3 (sharing):
// 1,000 callers at once on a fresh source against the emulator on loopback (with --latency ms on
// the create route, so the create call is in flight while they arrive), over --rounds rounds.
// Options: --time <ms per task> --rounds <n> --latency <ms>.
import { parseArgs } from 'node:util'
import { createTokenSource } from '@m2m-auth/core'
import { startEmulator } from '@m2m-auth/emulator'
import { Bench } from 'tinybench'

const BATCH = 1000
const CPU_CALLS = 2_000_000
const CONCURRENT = 1000
const { values } = parseArgs({
  options: {
    time: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '5' },
    latency: { type: 'string', default: '20' },
  },
})
const time = Number(values.time)
const rounds = Number(values.rounds)
const latencyMs = Number(values.latency)

const TOKEN = 'mt_0123456789abcdef0123456789abcdef01234567'
let creates = 0
const fetch = async () => {
  creates++
  const at = Date.now()
  const body = {
    object: 'machine_to_machine_token',
    id: 'mt_f7f0ba8c3b4843ce7d85fcdd5e71853e',
    subject: 'mch_2yGkLpQ7Y3rXSwtU24CzTk9I7Em',
    claims: null,
    scopes: ['mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'],
    token: TOKEN,
    revoked: false,
    revocation_reason: null,
    expired: false,
    expiration: at + 24 * 3600_000, // far longer than the run: every measured call is a hit
    last_used_at: null,
    created_at: at,
    updated_at: at,
  }
  return new Response(JSON.stringify(body), { status: 201, headers: { 'content-type': 'application/json' } })
}

const source = createTokenSource({ secretKey: 'ak_bench_secret', fetch, secondsUntilExpiration: 86_400 })
const withEvents = createTokenSource({
  secretKey: 'ak_bench_secret',
  fetch,
  secondsUntilExpiration: 86_400,
  onEvent: () => {},
})
await source.getToken()
await withEvents.getToken()
const settled = Promise.resolve(TOKEN)
const asyncReturn = async () => TOKEN

// ---- Part 1: throughput of sequential awaited calls
const bench = new Bench({ time, warmupTime: Math.min(500, time) })
bench
  .add('baseline: await a settled promise (the floor)', async () => {
    for (let i = 0; i < BATCH; i++) await settled
  })
  .add('baseline: await an async function returning a constant', async () => {
    for (let i = 0; i < BATCH; i++) await asyncReturn()
  })
  .add('await source.getToken() (current token)', async () => {
    for (let i = 0; i < BATCH; i++) await source.getToken()
  })
  .add('await source.getToken() (current token, onEvent set)', async () => {
    for (let i = 0; i < BATCH; i++) await withEvents.getToken()
  })
await bench.run()
if (creates !== 2) throw new Error(`expected 2 create calls (one per source), saw ${creates}`)

console.log(`node ${process.version}, ${BATCH} sequential awaited calls per sample, ${time} ms per task`)
console.log('| task | calls/s | ns/call | ± | samples |')
console.log('|---|---:|---:|---:|---:|')
for (const task of bench.tasks) {
  const r = task.result
  const nsPerOp = (r.latency.mean * 1e6) / BATCH
  const ops = Math.round(1e9 / nsPerOp).toLocaleString('en-US')
  console.log(
    `| ${task.name} | ${ops} | ${nsPerOp.toFixed(0)} | ${r.latency.rme.toFixed(1)}% | ${r.latency.samplesCount} |`,
  )
}

// ---- Part 2: process CPU time per call (user + system), best of interleaved rounds
const cpuTasks = [
  [
    'baseline: await a settled promise',
    async () => {
      for (let i = 0; i < CPU_CALLS; i++) await settled
    },
  ],
  [
    'await source.getToken()',
    async () => {
      for (let i = 0; i < CPU_CALLS; i++) await source.getToken()
    },
  ],
  [
    'source.getToken() without await (the call alone)',
    async () => {
      for (let i = 0; i < CPU_CALLS; i++) source.getToken()
    },
  ],
]
const best = new Map()
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of cpuTasks) {
    const before = process.cpuUsage()
    await run()
    const used = process.cpuUsage(before)
    const nsPerCall = ((used.user + used.system) * 1000) / CPU_CALLS
    best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, nsPerCall))
  }
}
console.log(
  `\nprocess CPU time, best of ${rounds} interleaved rounds of ${CPU_CALLS.toLocaleString('en-US')} calls`,
)
console.log('| task | CPU ns/call | calls per CPU-second |')
console.log('|---|---:|---:|')
for (const [name, ns] of best) {
  console.log(`| ${name} | ${ns.toFixed(1)} | ${Math.round(1e9 / ns).toLocaleString('en-US')} |`)
}
if (creates !== 2) throw new Error(`expected no create call while measuring, saw ${creates - 2}`)

// ---- Part 3: create calls for 1,000 concurrent first callers, against the emulator
const emulator = await startEmulator({ host: '127.0.0.1', port: 0, latencyMs })
try {
  const orders = emulator.machines[0]
  console.log(
    `\n${CONCURRENT} concurrent first callers on a fresh source, emulator on loopback, ${latencyMs} ms create latency`,
  )
  console.log('| round | create calls | distinct tokens | all answered in (ms) |')
  console.log('|---:|---:|---:|---:|')
  for (let round = 1; round <= rounds; round++) {
    emulator.resetStats()
    const fresh = createTokenSource({ secretKey: orders.secretKey, apiUrl: emulator.url })
    const started = performance.now()
    const tokens = await Promise.all(Array.from({ length: CONCURRENT }, () => fresh.getToken()))
    const ms = performance.now() - started
    const createCalls = emulator.stats().byRoute.create ?? 0
    console.log(`| ${round} | ${createCalls} | ${new Set(tokens).size} | ${ms.toFixed(1)} |`)
    if (createCalls !== 1) throw new Error(`round ${round}: ${createCalls} create calls, goal 1`)
  }
} finally {
  await emulator.close()
}
