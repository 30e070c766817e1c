// Server CPU per request at a fixed offered rate, for Fastify servers that differ only in what
// their process holds: a callback onRequest hook (cb), the same hook in a process that keeps
// 200,000 small objects (ballast: a bigger heap, no code), the same hook in a process that has
// imported undici (undici), and m2m-auth (m2m, a warm cache, one token). Each variant runs in a
// process of its own, all of a round's processes started together and left idle 9 s before they
// are measured (see bench/idle-cpu.mjs), in alternating order; medians over rounds. At 3,000 req/s
// on this 2-core machine the bigger processes read 8-27 µs per request more than cb, the ballast
// one as much as the others: at this rate, what a process holds moves its CPU per request, so the
// `--rate` rows of `pnpm bench` (whose no-auth and no-op servers load neither m2m-auth nor undici)
// do not measure m2m-auth's hit (bench/RESULTS.md, "Tenth pass").
//
//   pnpm build && node bench/import-cost.mjs [--rate N] [--rounds N] [--variants cb,ballast,undici,m2m]
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createTokens, startEmulatorProcess } from './load/emulator.mjs'
import { runLoad } from './load/measure.mjs'
import { startChild, stopAll } from './load/processes.mjs'
import { median } from './perf/stats.mjs'

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '6' },
    variants: { type: 'string', default: 'cb,ballast,undici,m2m' },
  },
})
const rate = Number(values.rate)
const rounds = Number(values.rounds)
const variants = values.variants.split(',')
const CHILD = fileURLToPath(new URL('./perf/import-cost-child.mjs', import.meta.url))
const SETTLE_MS = 9000

/** One fixed-rate run against a server child; resolves autocannon's totals. */
function load(server, tokens, durationS) {
  return runLoad({
    baseUrl: `http://127.0.0.1:${server.info.port}`,
    tokens,
    connections: 10,
    durationS,
    overallRate: rate,
  })
}

try {
  const emulator = await startEmulatorProcess(2)
  const { tokens } = await createTokens(emulator, 1)
  const env = {
    BENCH_API_URL: emulator.url,
    BENCH_KEY: emulator.receiver.secretKey,
    BENCH_MACHINE: emulator.receiver.id,
  }
  const perRequest = Object.fromEntries(variants.map((variant) => [variant, []]))
  for (let round = 0; round < rounds; round++) {
    const servers = {}
    for (const variant of variants) {
      servers[variant] = await startChild(CHILD, {
        name: `${variant} server`,
        env: { ...env, BENCH_VARIANT: variant },
      })
      await load(servers[variant], tokens, 2)
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
    for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
      const server = servers[variant]
      const before = await server.request('cpu')
      const result = await load(server, tokens, 4)
      const after = await server.request('cpu')
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`${variant}: ${result.non2xx} non-2xx, ${result.errors} errors`)
      perRequest[variant].push((after - before) / result.total)
    }
    for (const server of Object.values(servers)) await server.stop()
    console.log(
      `round ${round + 1}: ${variants.map((v) => `${v} ${perRequest[v].at(-1).toFixed(1)}`).join(' | ')} µs/req`,
    )
  }
  console.log(
    `\nnode ${process.version}, ${rate} req/s offered, ${rounds} rounds, server CPU per request (median)`,
  )
  console.log(`| variant | µs/req | over ${variants[0]} |`)
  console.log('|---|---:|---:|')
  const control = median(perRequest[variants[0]])
  for (const variant of variants) {
    const m = median(perRequest[variant])
    const over = m - control
    const cell = variant === variants[0] ? '' : `${over >= 0 ? '+' : ''}${over.toFixed(1)}`
    console.log(`| ${variant} | ${m.toFixed(1)} | ${cell} |`)
  }
} finally {
  await stopAll()
}
