// The performance section of bench/RESULTS.md and the chart, from what one `pnpm bench` run
// measured: the JSON files the micro-benchmarks left in BENCH_OUT and the load summary.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { drawChart } from './chart.mjs'

/** A difference in ms with its sign (a miss can read faster than the bare call in a noisy run). */
const signedMs = (ms) => `${ms >= 0 ? '+' : ''}${ms.toFixed(3)}`

function read(dir, name) {
  const path = join(dir, `${name}.json`)
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined
}

const us = (ns) => `${(ns / 1000).toFixed(2)} µs`

function dispatchLines(d) {
  if (d === undefined) return []
  const lines = [
    `**Cache hit dispatched in-process** (\`bench/dispatch.bench.mjs\`: ${d.rounds} alternating rounds of ${d.calls.toLocaleString('en-US')} calls; median, IQR over rounds)`,
    '',
    '| dispatch | no-op | m2m-auth | added | goal <= 1 µs |',
    '|---|---:|---:|---:|---|',
  ]
  for (const r of d.rows) {
    if (r.error !== undefined) lines.push(`| ${r.name} | | | n/a: ${r.error} | |`)
    else
      lines.push(
        `| ${r.name} | ${us(r.controlNs)} | ${us(r.subjectNs)} | ${us(r.addedNs)} (${us(r.addedP25Ns)} .. ${us(r.addedP75Ns)}) | ${r.addedNs <= 1000 ? 'MET' : 'MISS'} |`,
      )
  }
  return [...lines, '']
}

function refreshLines(r) {
  if (r === undefined) return []
  const lines = [
    `**Latency with a slow token service** (\`bench/refresh.bench.mjs\`: ${r.upstreamMs} ms per verify call, \`ttlMs\` 1000, 10 clients at ~100 req/s each, ${r.seconds} s x ${r.rounds} round(s), in-process verifier)`,
    '',
    '| hot tokens | refresh ahead | requests | p50 | p99 | max | requests that waited |',
    '|---:|---|---:|---:|---:|---:|---:|',
  ]
  for (const row of r.rows) {
    const on = row.refreshAheadRatio > 0 ? `on (${row.refreshAheadRatio})` : 'off'
    lines.push(
      `| ${row.tokens} | ${on} | ${row.requests} | ${row.p50Ms.toFixed(2)} ms | ${row.p99Ms.toFixed(1)} ms | ${row.maxMs.toFixed(1)} ms | ${row.waited} |`,
    )
  }
  const m = r.miss
  lines.push(
    '',
    `**Cost of a miss** over a bare undici request to the same loopback fake (no latency): median latency ${m.missMs.toFixed(3)} ms vs ${m.bareMs.toFixed(3)} ms (${signedMs(m.missMs - m.bareMs)} ms), client CPU ${m.missCpuUs.toFixed(0)} µs vs ${m.bareCpuUs.toFixed(0)} µs per call.`,
    '',
  )
  return lines
}

function transportLines(t) {
  if (t === undefined) return []
  return [
    `**Client CPU per upstream verification** (\`bench/transport.bench.mjs\`: ${t.calls} verify calls x ${t.rounds} alternating rounds, ${t.concurrency} concurrent, fake in its own process): fetch ${t.fetchUs.toFixed(1)} µs, undici \`request\` (default on Node) ${t.undiciUs.toFixed(1)} µs, ratio ${t.ratio.toFixed(2)} (goal <= 0.50: ${t.ratio <= 0.5 ? 'MET' : 'MISS'}).`,
    '',
  ]
}

function memoryLines(m) {
  if (m === undefined) return []
  const full = m.samples.find((s) => s.tokens >= 20_000) ?? m.samples[Math.floor(m.samples.length / 2)]
  const last = m.samples.at(-1)
  return [
    `**Memory** (\`bench/memory.bench.mjs\`): ${m.bytesPerToken.toFixed(0)} bytes of heap per cached opaque token with small claims (goal <= 1024: ${m.bytesPerToken <= 1024 ? 'MET' : 'MISS'}); over ${m.total.toLocaleString('en-US')} distinct tokens with the default bounds, RSS ${full.rssMB.toFixed(0)} MB at ${full.tokens.toLocaleString('en-US')} tokens and ${last.rssMB.toFixed(0)} MB at ${last.tokens.toLocaleString('en-US')} (x${m.rssGrowth.toFixed(2)}), heap ${full.heapMB.toFixed(1)} -> ${last.heapMB.toFixed(1)} MB, ${last.size.toLocaleString('en-US')} entries cached.`,
    '',
  ]
}

/** Load rows of the chart: no auth, the no-op control and m2m-auth, for 1 and many tokens. */
const CHARTED = /^(?:[anb]|[anb]Many\d*)$/

/** Panels of the chart from the load summary (server CPU per request) and the micro results. */
function panels(summary, results) {
  const list = []
  if (summary !== undefined) {
    const bars = []
    summary.forEach((fw, f) => {
      for (const r of fw.rows.filter((row) => CHARTED.test(row.row.key))) {
        bars.push({
          label: `${fw.framework} ${r.row.label.replace(/\(same rotating load\)/, '').trim()}`,
          value: r.cpuPerRequestUs,
          color: f + 2,
        })
      }
    })
    list.push({ title: 'Server CPU per request (µs; server in its own process)', unit: 'µs', bars })
  }
  const { refresh, transport, dispatch } = results
  if (refresh !== undefined) {
    list.push({
      title: `Slowest request for hot tokens, ${refresh.upstreamMs} ms upstream, ttlMs 1000 (max latency, ms)`,
      unit: 'ms',
      bars: refresh.rows.map((r) => ({
        label: `${r.tokens} token(s), refresh ahead ${r.refreshAheadRatio > 0 ? 'on' : 'off'}`,
        value: r.maxMs,
        color: r.refreshAheadRatio > 0 ? 4 : 3,
      })),
    })
  }
  if (transport !== undefined) {
    list.push({
      title: 'Client CPU per upstream verification (µs)',
      unit: 'µs',
      bars: [
        { label: 'fetch', value: transport.fetchUs, color: 3 },
        { label: 'undici request (default on Node)', value: transport.undiciUs, color: 4 },
      ],
    })
  }
  if (dispatch !== undefined) {
    list.push({
      title: 'CPU a cache hit adds over a no-op middleware, in-process (µs; goal <= 1)',
      unit: 'µs',
      bars: dispatch.rows
        .filter((r) => r.error === undefined)
        .map((r) => ({ label: r.name.replace(/ vs .*/, ''), value: r.addedNs / 1000, color: 2 })),
    })
  }
  return list
}

/** The markdown of the performance section and the chart's SVG. */
export function renderPerformance({ dir, summary, run }) {
  const results = {
    dispatch: read(dir, 'dispatch'),
    refresh: read(dir, 'refresh'),
    transport: read(dir, 'transport'),
    memory: read(dir, 'memory'),
  }
  const markdown = [
    '## Performance figures',
    '',
    `- Command: \`${run.command}\`; ${run.machine}; Node ${run.node}; ${run.date}`,
    '',
    '![m2m-auth benchmark chart](chart.svg)',
    '',
    ...dispatchLines(results.dispatch),
    ...refreshLines(results.refresh),
    ...transportLines(results.transport),
    ...memoryLines(results.memory),
  ].join('\n')
  const svg = drawChart(
    panels(summary, results),
    `${run.command} — ${run.date}, ${run.machine}, Node ${run.node}`,
  )
  return { markdown, svg }
}
