// Latency of requests for hot tokens when the token service is slow (150 ms per verify call) and
// `ttlMs` is 1000: with refresh ahead off every request arriving after an entry expired waits for
// the re-verification; with it on (the default) no request should. Then the cost of a miss over
// the bare upstream round trip (one undici dispatch to the same fake, no latency). The fake runs in a
// process of its own; the verifier (default transport: undici on Node) runs here.
//
//   pnpm --filter @m2m-auth/core build && node bench/refresh.bench.mjs [--seconds S] [--rounds N]
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createVerifier } from '@m2m-auth/core'
import { getGlobalDispatcher } from 'undici'
import { startChild, stopAll } from './load/processes.mjs'
import { cpuMicros, median, percentile, quick, report } from './perf/stats.mjs'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: quick ? '2.5' : '6' },
    rounds: { type: 'string', default: quick ? '1' : '2' },
    misses: { type: 'string', default: quick ? '200' : '1000' },
    tokens: { type: 'string', default: quick ? '1' : '1,100' },
  },
})
const seconds = Number(values.seconds)
const rounds = Number(values.rounds)
const missCount = Number(values.misses)
const tokenCounts = values.tokens.split(',').map(Number)
const CHILD = fileURLToPath(new URL('./perf/fake-verify-child.mjs', import.meta.url))
const MACHINE = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'
const UPSTREAM_MS = 150
const CLIENTS = 10
const tokenOf = (n) => `mt_${n.toString(16).padStart(32, '0')}`
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** `CLIENTS` loops, each a request every ~10 ms for one of `tokens` hot tokens; latencies in ms. */
async function drive(verifier, tokens) {
  const latencies = []
  const until = performance.now() + seconds * 1000
  const loop = async (id) => {
    for (let i = id; performance.now() < until; i += CLIENTS) {
      const header = `Bearer ${tokenOf(i % tokens)}`
      const started = performance.now()
      await verifier.authenticate(header)
      latencies.push(performance.now() - started)
      await sleep(10)
    }
  }
  await Promise.all(Array.from({ length: CLIENTS }, (_, id) => loop(id)))
  return latencies
}

async function latencyRows(apiUrl) {
  const rows = []
  for (const tokens of tokenCounts) {
    for (const ratio of [0, 0.2]) {
      const all = []
      for (let round = 0; round < rounds; round++) {
        const verifier = createVerifier({
          secretKey: 'ak_bench_refresh_secret',
          machineId: MACHINE,
          apiUrl,
          cache: { ttlMs: 1000, refreshAheadRatio: ratio },
          budget: false, // measures latency, not shedding: 100 tokens at ttlMs 1000 outrun 50 calls/s
        })
        await Promise.all(Array.from({ length: tokens }, (_, n) => verifier.verify(tokenOf(n)))) // warm
        all.push(...(await drive(verifier, tokens)))
      }
      rows.push({
        tokens,
        refreshAheadRatio: ratio,
        requests: all.length,
        p50Ms: percentile(all, 50),
        p99Ms: percentile(all, 99),
        maxMs: Math.max(...all),
        waited: all.filter((ms) => ms >= UPSTREAM_MS / 2).length,
      })
    }
  }
  return rows
}

/**
 * Median latency and CPU of a miss against a bare round trip to the same route: one dispatch on
 * undici's global dispatcher with a handler that only collects the body (what the verifier's
 * transport does under its retries, timeouts, parsing and caching).
 */
async function missCost(apiUrl) {
  const verifier = createVerifier({
    secretKey: 'ak_bench_refresh_secret',
    machineId: MACHINE,
    apiUrl,
    budget: false, // one miss after another, faster than the default 50 calls/s
  })
  const body = JSON.stringify({ token: tokenOf(1) })
  const { origin, pathname: path } = new URL(`${apiUrl}/m2m_tokens/verify`)
  const headers = { 'content-type': 'application/json', authorization: 'Bearer ak_bench' }
  const bare = () =>
    new Promise((resolve, reject) => {
      const chunks = []
      getGlobalDispatcher().dispatch(
        { origin, path, method: 'POST', headers, body },
        {
          onConnect() {},
          onHeaders: () => true,
          onData: (chunk) => chunks.push(chunk) > 0,
          onComplete: () => resolve(Buffer.concat(chunks).toString('utf8')),
          onError: reject,
        },
      )
    })
  let next = 10_000_000
  const miss = () => verifier.verify(tokenOf(next++))
  const sample = async (fn) => {
    const times = []
    const cpu = cpuMicros()
    for (let i = 0; i < missCount; i++) {
      const started = performance.now()
      await fn()
      times.push(performance.now() - started)
    }
    return { ms: median(times), cpuUs: (cpuMicros() - cpu) / missCount }
  }
  await sample(bare)
  await sample(miss)
  const results = { bare: [], miss: [] }
  for (let round = 0; round < 4; round++) {
    const order = round % 2 === 0 ? ['bare', 'miss'] : ['miss', 'bare']
    for (const name of order) results[name].push(await sample(name === 'bare' ? bare : miss))
  }
  const pick = (list, key) => median(list.map((r) => r[key]))
  return {
    bareMs: pick(results.bare, 'ms'),
    missMs: pick(results.miss, 'ms'),
    bareCpuUs: pick(results.bare, 'cpuUs'),
    missCpuUs: pick(results.miss, 'cpuUs'),
  }
}

try {
  const slow = await startChild(CHILD, {
    name: 'fake-verify-150ms',
    env: { BENCH_LATENCY_MS: String(UPSTREAM_MS) },
  })
  const rows = await latencyRows(slow.info.url)
  await slow.stop()
  const fast = await startChild(CHILD, { name: 'fake-verify', env: { BENCH_LATENCY_MS: '0' } })
  const miss = await missCost(fast.info.url)
  console.log(
    `node ${process.version}; upstream ${UPSTREAM_MS} ms, ttlMs 1000, ${CLIENTS} clients x ~100 req/s, ${seconds} s x ${rounds} round(s)`,
  )
  console.log('| hot tokens | refresh ahead | requests | p50 | p99 | max | requests that waited (>= 75 ms) |')
  console.log('|---:|---|---:|---:|---:|---:|---:|')
  for (const r of rows) {
    const on = r.refreshAheadRatio > 0 ? `on (${r.refreshAheadRatio})` : 'off'
    console.log(
      `| ${r.tokens} | ${on} | ${r.requests} | ${r.p50Ms.toFixed(2)} ms | ${r.p99Ms.toFixed(1)} ms | ${r.maxMs.toFixed(1)} ms | ${r.waited} |`,
    )
  }
  console.log('\n| miss vs bare round trip (loopback, no latency) | median latency | CPU per call |')
  console.log('|---|---:|---:|')
  console.log(`| bare undici dispatch | ${miss.bareMs.toFixed(3)} ms | ${miss.bareCpuUs.toFixed(0)} µs |`)
  console.log(`| verifier miss | ${miss.missMs.toFixed(3)} ms | ${miss.missCpuUs.toFixed(0)} µs |`)
  console.log(
    `| miss over the round trip | +${(miss.missMs - miss.bareMs).toFixed(3)} ms | +${(miss.missCpuUs - miss.bareCpuUs).toFixed(0)} µs |`,
  )
  report('refresh', { upstreamMs: UPSTREAM_MS, seconds, rounds, rows, miss })
} finally {
  await stopAll()
}
