// Client CPU per upstream verification: the M2M client's verify call through Node's `fetch` (a
// `fetch` option) against the default transport on Node (a dispatch on undici's global
// dispatcher, core's `#transport`), in alternating rounds, against a loopback fake of the verify
// route in a process of its own, so that this process's CPU time is the client's alone.
//
//   pnpm --filter @m2m-auth/core build && node bench/transport.bench.mjs [--calls N] [--rounds N]
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createM2MClient } from '@m2m-auth/core'
import { startChild, stopAll } from './load/processes.mjs'
import { cpuMicros, median, quick, report } from './perf/stats.mjs'

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: quick ? '400' : '3000' },
    rounds: { type: 'string', default: quick ? '2' : '6' },
    concurrency: { type: 'string', default: '10' },
  },
})
const calls = Number(values.calls)
const rounds = Number(values.rounds)
const concurrency = Number(values.concurrency)

const fake = await startChild(fileURLToPath(new URL('./perf/fake-verify-child.mjs', import.meta.url)), {
  name: 'fake-verify',
})
const apiUrl = fake.info.url
const secretKey = 'ak_bench_transport_secret'
const clients = {
  fetch: createM2MClient({ secretKey, apiUrl, retry: false, fetch: globalThis.fetch.bind(globalThis) }),
  undici: createM2MClient({ secretKey, apiUrl, retry: false }),
}

/** Runs `count` verify calls, `concurrency` at a time; resolves CPU microseconds per call. */
async function measure(client, count) {
  let next = 0
  const worker = async () => {
    while (next < count) {
      const n = next++
      await client.verifyToken({ token: `mt_${n.toString(16).padStart(32, 'a')}` })
    }
  }
  const start = cpuMicros()
  await Promise.all(Array.from({ length: concurrency }, worker))
  return (cpuMicros() - start) / count
}

try {
  for (const client of Object.values(clients)) await measure(client, Math.min(200, calls)) // warm-up
  const samples = { fetch: [], undici: [] }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['fetch', 'undici'] : ['undici', 'fetch']
    for (const name of order) samples[name].push(await measure(clients[name], calls))
  }
  const fetchUs = median(samples.fetch)
  const undiciUs = median(samples.undici)
  const ratio = undiciUs / fetchUs
  console.log(
    `node ${process.version}, ${calls} verify calls x ${rounds} alternating rounds, ${concurrency} concurrent`,
  )
  console.log('| transport | client CPU per verification (median) | rounds |')
  console.log('|---|---:|---|')
  console.log(
    `| fetch (a \`fetch\` option) | ${fetchUs.toFixed(1)} µs | ${samples.fetch.map((v) => v.toFixed(1)).join(', ')} |`,
  )
  console.log(
    `| undici dispatch (default on Node) | ${undiciUs.toFixed(1)} µs | ${samples.undici.map((v) => v.toFixed(1)).join(', ')} |`,
  )
  console.log(`undici / fetch = ${ratio.toFixed(2)} (goal <= 0.50: ${ratio <= 0.5 ? 'MET' : 'MISS'})`)
  report('transport', { calls, rounds, concurrency, fetchUs, undiciUs, ratio, samples })
} finally {
  await stopAll()
}
