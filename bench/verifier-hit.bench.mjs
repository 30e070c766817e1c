// Micro-benchmark of the verifier's cache-hit path, against baselines measured in the same run.
//
//   pnpm --filter @m2m-auth/core build && node bench/verifier-hit.bench.mjs          (built dist)
//   node --conditions=@m2m-auth/source --import tsx bench/verifier-hit.bench.mjs   (sources)
//
// Each task awaits BATCH sequential calls, so that the timer's own cost (tens of ns) does not
// dominate an operation of about a hundred ns; ops/s below are calls per second (batches x BATCH).
// The token service is a fetch function answering one verify call: only the first call of the
// verifier tasks misses, every measured call is a hit. Options: --time <ms per task>.
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'
import { createAuthRule, createVerifier, parseBearer } from '@m2m-auth/core'
import { Bench } from 'tinybench'
import { wireToken } from './perf/wire-token.mjs'

const BATCH = 1000
const { values } = parseArgs({ options: { time: { type: 'string', default: '2000' } } })
const time = Number(values.time)

const requireFromCore = createRequire(new URL('../packages/core/package.json', import.meta.url))
const { LRUCache } = await import(requireFromCore.resolve('lru-cache'))

const TOKEN = 'mt_0123456789abcdef0123456789abcdef'
const MACHINE = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'
const wire = wireToken(undefined, MACHINE)
let upstreamCalls = 0
const fetch = async () => {
  upstreamCalls++
  return new Response(JSON.stringify(wire), { headers: { 'content-type': 'application/json' } })
}

// A TTL far longer than the run, so that every measured call is a hit (real clock: Date.now).
const options = { secretKey: 'ak_bench_secret', machineId: MACHINE, fetch, cache: { ttlMs: 3600_000 } }
const verifier = createVerifier(options)
const withEvents = createVerifier({ ...options, onEvent: () => {} })
const header = `Bearer ${TOKEN}`
const authOptions = { scope: [MACHINE] } // built once, as adapters do at registration
// What an adapter passes: a rule compiled at registration, with a caller allowlist on top.
const rule = createAuthRule({ scope: MACHINE, callers: [wire.subject] })

const verified = await verifier.verify(TOKEN)
await withEvents.verify(TOKEN)
const map = new Map([[TOKEN, verified]])
const lru = new LRUCache({ max: 10_000 })
lru.set(TOKEN, verified)
const mapGet = async (key) => map.get(key)
const lruGet = async (key) => lru.get(key)

// Real requests bring a new string each time, whose hash V8 has not cached yet: the "new string"
// rows slice the token out of the header per call, for the baseline and the verifier alike.
const bench = new Bench({ time, warmupTime: Math.min(500, time) })
bench
  .add('baseline: await async Map.get', async () => {
    for (let i = 0; i < BATCH; i++) await mapGet(TOKEN)
  })
  .add('baseline: await async LRUCache.get', async () => {
    for (let i = 0; i < BATCH; i++) await lruGet(TOKEN)
  })
  .add('verifier.verify (hit)', async () => {
    for (let i = 0; i < BATCH; i++) await verifier.verify(TOKEN)
  })
  .add('baseline: await async Map.get, new string', async () => {
    for (let i = 0; i < BATCH; i++) await mapGet(header.slice(7))
  })
  .add('verifier.verify (hit), new string', async () => {
    for (let i = 0; i < BATCH; i++) await verifier.verify(header.slice(7))
  })
  .add('parseBearer alone (sync)', () => {
    for (let i = 0; i < BATCH; i++) parseBearer(header)
  })
  .add('verifier.authenticate (parse + hit + scopes)', async () => {
    for (let i = 0; i < BATCH; i++) await verifier.authenticate(header, authOptions)
  })
  .add('verifier.authenticate (parse + hit + scope + callers, compiled rule)', async () => {
    for (let i = 0; i < BATCH; i++) await verifier.authenticate(header, rule)
  })
  .add('verifier.verify (hit, onEvent set)', async () => {
    for (let i = 0; i < BATCH; i++) await withEvents.verify(TOKEN)
  })

await bench.run()

const stats = verifier.stats()
if (upstreamCalls !== 2 || stats.misses !== 1)
  throw new Error(`expected only hits, got ${JSON.stringify(stats)}`)

const rows = bench.tasks.map((task) => {
  const r = task.result
  // From the mean batch latency (ms): a mean of per-sample throughputs would overweight fast samples.
  const nsPerOp = (r.latency.mean * 1e6) / BATCH
  const opsPerSec = 1e9 / nsPerOp
  return { task: task.name, opsPerSec, nsPerOp, rme: r.latency.rme, batches: r.latency.samplesCount }
})
console.log(`node ${process.version}, ${BATCH} calls per sample, ${time} ms per task`)
console.log('| task | calls/s | ns/call | ± | samples |')
console.log('|---|---:|---:|---:|---:|')
for (const row of rows) {
  const ops = Math.round(row.opsPerSec).toLocaleString('en-US')
  console.log(
    `| ${row.task} | ${ops} | ${row.nsPerOp.toFixed(0)} | ${row.rme.toFixed(1)}% | ${row.batches} |`,
  )
}
