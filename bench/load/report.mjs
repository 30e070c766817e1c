// Renders the load section of bench/RESULTS.md (also printed to stdout): the machine, the date, the
// exact command, the table of medians, the targets with PASS/MISS, and how it was measured.
import { cpus, loadavg, release, totalmem, type } from 'node:os'
import { CACHE_TTL_MS, HELD_TTL_MS } from './apps/common.mjs'
import { CLERK_MIDDLEWARE } from './scenarios.mjs'
import { MANY_TOKENS_GOAL, median } from './summary.mjs'

const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a')
const ms = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a')
const signed = (n) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(1)}` : '')
const ratio = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a')
const pct = (n) => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : 'n/a')
const calls = (n) =>
  !Number.isFinite(n) ? 'n/a' : n >= 10 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toFixed(2)

/** Facts about the machine and the run, captured when the run starts and completed at its end. */
export function describeRun(options, argv) {
  const viaPnpm = process.env.npm_lifecycle_event === 'bench'
  const args = argv.join(' ')
  const command = viaPnpm
    ? `pnpm bench${args ? ` ${args}` : ''}`
    : `node bench/run.mjs${args ? ` ${args}` : ''}`
  const cpu = cpus()
  return {
    command,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    machine: `${cpu.length} cores, ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${type()} ${release()}`,
    node: process.version,
    loadStart: loadavg()[0],
    options,
  }
}

function tableRows(summary) {
  const lines = [
    '| framework | row | req/s | p50 ms | p99 ms | server CPU µs/req (busy) | CPU over no-op µs/req | token-service calls / 1k req | emulator CPU (busy) | vs (a) | non-2xx | req/s by round |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ]
  for (const { framework, rows } of summary) {
    for (const r of rows) {
      const byRound = r.rpsByRound.map(int).join(' / ')
      const failed = r.problems.length > 0 ? ' **(see problems)**' : ''
      lines.push(
        `| ${framework} | ${r.row.label}${failed} | ${int(r.rps)} | ${ms(r.p50)} | ${ms(r.p99)} | ${int(r.cpuPerRequestUs)} (${pct(r.cpuBusy)}) | ${signed(r.cpuOverControlUs)} | ${calls(r.calls)} | ${pct(r.emulatorBusy)} | ${ratio(r.vsCeiling)} | ${r.non2xx} | ${byRound} |`,
      )
    }
  }
  return lines
}

function settings(o) {
  const rate = o.rate === undefined ? '' : `${o.rate.toLocaleString('en-US')} req/s offered to every row, `
  return (
    `${rate}${o.rounds} round(s) x ${o.durationS} s per row (after ${o.warmupS} s of warm-up), ` +
    `${o.connections} connections, emulator latency ${o.latencyMs} ms, ${o.tokens.map((n) => n.toLocaleString('en-US')).join(' and ')} distinct tokens in the many-token rows`
  )
}

function notes() {
  return [
    '- Processes: autocannon runs in the runner process; each server (one per framework and variant) in its',
    '  own child process, started afresh for every round (two processes of the same server can differ by',
    '  15-20 µs of CPU per request for their whole life on this machine, so no row is measured in one process',
    "  only); the emulator in another child. A round's servers are left idle for 10 s after they start (an idle",
    '  Node 20 process runs a full GC about 8 s after its start: `node bench/idle-cpu.mjs`), and each is',
    '  stopped after the last row of the round that uses it. Every row checks, before it is measured, that a',
    '  request with its first and last token answers 200 with the sending machine as subject and (auth rows)',
    '  that a request without credentials is refused; any non-2xx or socket error during a run fails the run.',
    '- Rounds interleave the rows (A B C D, then D C B A, ...). Each cell is the median over rounds; "vs (a)"',
    '  and the ratios of the targets are medians of ratios paired within a round (same framework).',
    '- Latency percentiles are computed from every response time recorded by the load generator (µs precision).',
    '- Server CPU: user + system CPU time of the server process during the measured run, per request, and as a',
    '  share of one core ("busy"; above 100% when GC and libuv threads add to the main thread). Well under',
    '  100%, the server was not the bottleneck: the load generator, the',
    '  emulator or other load on the 2 cores was, and req/s then also reflects their speed.',
    '- Token-service calls = verify requests counted by the emulator during the measured run / requests x 1,000.',
    '  Requests still in flight when a run ends are verified but not counted as responses (up to one per',
    '  connection). With `cache: false`, concurrent requests carrying the same token still share one call',
    '  (single-flight), which is why (c) with one token makes far fewer calls than requests.',
    '- Emulator CPU: user + system CPU time of the emulator process (standing in for Clerk) during the',
    '  run, as a share of one core. It runs on the same 2 cores as the server and the load generator, so',
    '  what it takes in the many-token rows (each token re-verified about once per ttlMs) is CPU that a real',
    '  deployment, whose token service is elsewhere, does not lose; the no-auth rows do not pay it.',
    `- (b) uses \`cache: { ttlMs: ${CACHE_TTL_MS} }\` (the default). The many-token rows rotate through the tokens with`,
    '  one counter shared by all connections; before its warm-up, (b) gets one request per token so its cache is',
    '  warm. Tokens seen early in that pass may expire during the run: the steady state of N tokens is about',
    `  N verify calls per ${CACHE_TTL_MS / 1000} s, whatever the request rate.`,
    `- (h), the control of the many-token (b) row: the same tokens, fill pass, warm-up and load, with`,
    `  \`ttlMs: ${HELD_TTL_MS}\`, so that no entry is re-verified during the run. (b) - (h) is what the`,
    '  re-verifications cost (server CPU per re-verification = that difference per request, divided by',
    "  (b)'s token-service calls per request); (h) - (n) is what the many-token hit costs.",
  ]
}

/** How the Clerk rows were set up (a goal run has none). */
function clerkNotes(frameworks) {
  return [
    ...frameworks.map((f) => `- (d) ${f}: ${CLERK_MIDDLEWARE[f]}.`),
    '- Clerk setup (offline): `secretKey` = the emulator instance key (sk_test_, required because',
    '  `clerkMiddleware` accepts any token type), `machineSecretKey` = the receiving machine key (ak_, used for',
    '  the verify call, as m2m-auth uses it), `apiUrl` = the emulator, and a made-up `publishableKey`',
    '  (`pk_test_` + base64 of `clerk.bench.localhost$`; only parsed, never contacted).',
    '  `CLERK_TELEMETRY_DISABLED=1`, and every server is preloaded with a guard that refuses any non-loopback fetch.',
  ]
}

/** A warning when other work competed for the cores: wall-clock figures are then noisy. */
function busyWarning(run) {
  const cores = cpus().length
  // At the start only: by the end, the 1-minute average also counts this benchmark's own processes.
  if (run.loadStart <= cores) return []
  return [
    `- **Warning:** the machine was busy with other work (load average above its ${cores} cores), so`,
    '  wall-clock figures (req/s, latency and the ratios built on them) vary from round to round: see',
    '  "req/s by round", and compare rows of the same round rather than single cells.',
  ]
}

const us = (n) => (Number.isFinite(n) ? `${n.toFixed(1)} µs` : 'n/a')
const signedUs = (n) => (Number.isFinite(n) ? `${signed(n)} µs` : 'not measured')

/**
 * What the cached rows cost in server CPU: over the no-op control, and per re-verification; and
 * how far the re-verifications account for the many-token row's req/s below no auth.
 */
function cpuFigures(summary) {
  return summary.map(({ framework, rows, refreshCpu, ratios }) => {
    const over = (key) => rows.find((r) => r.row.key === key)?.cpuOverControlUs
    const held = rows.some((r) => r.row.key === 'hMany')
      ? `; without re-verifications in the run (h) ${signedUs(over('hMany'))} and ${ratio(ratios.manyHOverA)} ` +
        `of no auth, (b) / (h) = ${ratio(ratios.manyBOverH)}; (b) - (h) by round ` +
        `${refreshCpu.byRound.map(signed).join(' / ')} µs per request, so server CPU per re-verification ` +
        `${us(refreshCpu.perCallUs)} (median of the rounds; the rounds' spread is that of the processes)`
      : ''
    return (
      `- ${framework}: (b) over the no-op control ` +
      // A goal run (--goal) has no single-token rows.
      (rows.some((r) => r.row.key === 'b') ? `${signedUs(over('b'))} per request with 1 token, ` : '') +
      `${signedUs(over('bMany'))} with many tokens${held}`
    )
  })
}

/** Per framework: the goal's paired ratio round by round, its quartiles and the CPU behind it. */
function goalFigures(summary) {
  return summary.map(({ framework, goal }) => {
    const [q1, q3] = goal.quartiles
    return (
      `- ${framework}: (b) / (a), ${goal.measured} rounds: median ${ratio(median(goal.byRound))}, ` +
      `quartiles ${ratio(q1)} .. ${ratio(q3)}, ${goal.reached} of ${goal.measured} rounds at or above ` +
      `${MANY_TOKENS_GOAL}; by round ${goal.byRound.map(ratio).join(' / ')}. Server CPU per request over ` +
      `no auth (median of paired differences): (b) ${signedUs(goal.cpuOverNoAuthUs)}, the no-op control ` +
      `${signedUs(goal.controlCpuOverNoAuthUs)}`
    )
  })
}

const GOAL_NOTES = [
  '- `--goal`: only the rows of the many-token goal, (a), (n), (b) and (h) below, in many short rounds.',
  '  Every round starts fresh server processes, so N rounds sample N processes of each row: the medians',
  '  and quartiles of the ratios paired within a round average over the lifelong CPU differences that',
  '  separate two processes of the same server on this machine.',
]

const RATE_NOTES = [
  '- Open loop: autocannon offers the same number of requests per second to every row (`--rate`), so',
  '  every server runs at the same throughput, well below its saturation, and its CPU per request is',
  '  not moved by how fast the load generator happens to be in that round (at saturation it is: the',
  '  server and the load generator share the 2 cores). req/s is the offered rate, so "vs (a)" is 1.',
  '- At such a rate a bigger process costs more per request whatever its hook does: a server that only',
  '  holds a large heap, or has only imported undici, reads about as far above the no-op as m2m-auth',
  "  (`node bench/import-cost.mjs`). The m2m-auth rows' excess over the no-op is mostly that, not the",
  '  hit: `node bench/dispatch.bench.mjs` measures the hit.',
]

/** The markdown of the load section (without the markers). */
export function renderMarkdown({ run, summary, targets, problems }) {
  const o = run.options
  const fixedRate = o.rate !== undefined
  const heading = fixedRate
    ? '## Load benchmark at a fixed offered rate'
    : o.goal
      ? '## Load benchmark: the many-token goal in many short rounds'
      : '## Load benchmark'
  const lines = [
    heading,
    '',
    `- Command: \`${run.command}\` (settings: ${settings(o)})`,
    `- Machine: ${run.machine}; Node ${run.node}; load average ${run.loadStart.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end`,
    `- Date: ${run.date}`,
    ...busyWarning(run),
    '',
    ...tableRows(summary),
    '',
    '**Server CPU of the cached rows**',
    '',
    ...cpuFigures(summary),
    '',
  ]
  if (o.goal) lines.push('**The goal, round by round**', '', ...goalFigures(summary), '')
  // At a fixed rate every row answers the same req/s: the ratio targets have nothing to say. A goal
  // run leaves out the rows of the other targets.
  const measured = o.goal ? targets.filter((t) => t.status !== 'N/A') : targets
  if (!fixedRate) lines.push('**Targets**', '', ...measured.map((t) => `- ${t.status} ${t.text}`), '')
  if (problems.length > 0) lines.push('**Problems (correctness)**', '', ...problems.map((p) => `- ${p}`), '')
  lines.push(
    '**How it was measured**',
    '',
    ...(fixedRate ? RATE_NOTES : []),
    ...(o.goal ? GOAL_NOTES : []),
    ...notes(),
  )
  if (!o.goal) lines.push(...clerkNotes(o.frameworks))
  return lines.join('\n')
}
