// Memory of the verifier's cache: bytes of heap per cached token (an opaque token with small
// claims, measured after a full GC with N tokens cached against none), and heap and RSS while
// 100,000 distinct tokens pass through a verifier with the default bounds (max 10,000 entries,
// maxBytes 32 MiB): they must level off once the LRU is full. The token service is an injected
// fetch answering every token as valid (no network: this measures memory, not time).
//
//   pnpm --filter @m2m-auth/core build && node bench/memory.bench.mjs [--tokens N]
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createVerifier } from '@m2m-auth/core'
import { quick, report } from './perf/stats.mjs'
import { wireToken } from './perf/wire-token.mjs'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc')

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: quick ? '20000' : '100000' },
    // Below the default `max` (10,000 entries), warm-up tokens included.
    cached: { type: 'string', default: quick ? '5000' : '9000' },
  },
})
const total = Number(values.tokens)
const cachedCount = Math.min(Number(values.cached), 10_000 - 10)
const MACHINE = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'

const fetch = async (_url, init) => {
  const { token } = JSON.parse(init.body)
  const body = wireToken(`mt_${token.slice(-32)}`, MACHINE)
  return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })
}
const build = () =>
  createVerifier({
    secretKey: 'ak_bench_memory_secret',
    machineId: MACHINE,
    fetch,
    cache: { ttlMs: 3600_000 },
    // 100,000 distinct tokens as fast as possible: the upstream budget would shed them (as it should).
    budget: false,
  })
const tokenOf = (n) => `mt_${n.toString(16).padStart(32, '0')}`

function heap() {
  gc()
  gc()
  return process.memoryUsage()
}

async function fill(verifier, from, to) {
  for (let n = from; n < to; n += 100) {
    const batch = []
    for (let i = n; i < Math.min(to, n + 100); i++) batch.push(verifier.verify(tokenOf(i)))
    await Promise.all(batch)
  }
}

// Bytes per cached token: the same verifier, empty then holding `cachedCount` tokens.
const one = build()
await fill(one, 0, 10) // code warm
one.stats()
const before = heap().heapUsed
await fill(one, 10, cachedCount + 10)
const after = heap().heapUsed
const bytesPerToken = (after - before) / cachedCount
if (one.stats().size !== cachedCount + 10) throw new Error(`expected ${cachedCount + 10} cached tokens`)

// Heap and RSS over `total` distinct tokens with the default bounds.
const churn = build()
const samples = []
for (let done = 0; done < total; ) {
  const next = Math.min(total, done + total / 10)
  await fill(churn, done, next)
  done = next
  const usage = heap()
  samples.push({
    tokens: done,
    heapMB: usage.heapUsed / 2 ** 20,
    rssMB: usage.rss / 2 ** 20,
    size: churn.stats().size,
  })
}
// The LRU is full from `max` (10,000) tokens on: compare RSS there with RSS at the end.
const full = samples.find((s) => s.tokens >= 2 * 10_000) ?? samples[Math.floor(samples.length / 2)]
const last = samples.at(-1)
const growth = last.rssMB / full.rssMB

console.log(
  `node ${process.version}; bytes per cached token over ${cachedCount.toLocaleString('en-US')} tokens: ${bytesPerToken.toFixed(0)} B (goal <= 1024: ${bytesPerToken <= 1024 ? 'MET' : 'MISS'})`,
)
console.log('| tokens seen | cached | heap used | RSS |')
console.log('|---:|---:|---:|---:|')
for (const s of samples) {
  console.log(
    `| ${s.tokens.toLocaleString('en-US')} | ${s.size.toLocaleString('en-US')} | ${s.heapMB.toFixed(1)} MB | ${s.rssMB.toFixed(1)} MB |`,
  )
}
console.log(
  `RSS at ${last.tokens.toLocaleString('en-US')} tokens / at ${full.tokens.toLocaleString('en-US')}: ${growth.toFixed(2)} (flat: ${growth <= 1.15 ? 'MET' : 'MISS'})`,
)
report('memory', { bytesPerToken, cachedCount, total, samples, rssGrowth: growth })
