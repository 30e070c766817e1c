// From the measured samples to the table's numbers (medians over rounds, ratios paired within a
// round) and to the PASS/MISS verdict of each target.
import { CACHE_TTL_MS } from './apps/common.mjs'

/** (b) / (a) targets per framework, on these 2-core machines. */
export const CEILING_TARGETS = { express: 0.93, fastify: 0.95, hono: 0.95 }
/** (b) / (a) goal of the first many-token group (1,000 tokens by default), per framework. */
export const MANY_TOKENS_GOAL = 0.9
/** (b) / (d) target. */
export const CLERK_FACTOR_TARGET = 10

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((x, y) => x - y)
  if (sorted.length === 0) return Number.NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const ok = (sample) => sample !== undefined && sample.error === undefined && sample.result !== undefined

/** Calls to the token service per 1,000 requests of one sample. */
export const callsPer1k = (sample) => (sample.calls / sample.result.total) * 1000

/** The lower and upper quartiles (medians of the lower and upper halves) of the finite values. */
export function quartiles(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((x, y) => x - y)
  if (sorted.length < 2) return [Number.NaN, Number.NaN]
  const half = sorted.length >> 1
  return [median(sorted.slice(0, half)), median(sorted.slice(sorted.length - half))]
}

/** `row.rps / other.rps` in each round (NaN where either is missing). */
function ratiosByRound(byRound, key, otherKey) {
  return byRound.map((samples) => {
    const [x, y] = [samples.get(key), samples.get(otherKey)]
    return ok(x) && ok(y) ? x.result.rps / y.result.rps : Number.NaN
  })
}

/** Median over rounds of `row.rps / other.rps`, paired within each round. */
function pairedRatio(byRound, key, otherKey) {
  return median(ratiosByRound(byRound, key, otherKey))
}

/**
 * The spread of the many-token goal, (b) / (a) paired within each round: the ratio of each round,
 * their quartiles, and how many rounds reached the goal; with the server CPU per request that (b)
 * and the no-op control add over no auth (medians of paired differences).
 */
function goalSpread(byRound) {
  const ratios = ratiosByRound(byRound, 'bMany', 'aMany')
  const measured = ratios.filter((r) => Number.isFinite(r))
  return {
    byRound: ratios,
    quartiles: quartiles(ratios),
    reached: measured.filter((r) => r >= MANY_TOKENS_GOAL).length,
    measured: measured.length,
    cpuOverNoAuthUs: pairedCpuDiff(byRound, 'bMany', 'aMany'),
    controlCpuOverNoAuthUs: pairedCpuDiff(byRound, 'nMany', 'aMany'),
  }
}

/** Median over rounds of the server CPU per request of `key` minus that of `otherKey`, in µs. */
function pairedCpuDiff(byRound, key, otherKey) {
  const perRequest = (s) => s.cpuUs / s.result.total
  return median(
    byRound.map((samples) => {
      const [x, y] = [samples.get(key), samples.get(otherKey)]
      return ok(x) && ok(y) ? perRequest(x) - perRequest(y) : Number.NaN
    }),
  )
}

/**
 * What the re-verifications cost the server, from the many-token (b) row and its (h) control (the
 * same tokens, load and hits, none of them re-verified during the run), paired within each round:
 * `byRound`, (b) - (h) in µs of server CPU per request (NaN where either is missing), and `perCallUs`,
 * the median over rounds of that difference divided by (b)'s token-service calls per request (NaN
 * without the control, as with --quick, or without calls).
 */
function refreshCpu(byRound) {
  const perRequest = (s) => s.cpuUs / s.result.total
  const pairs = byRound.map((m) => [m.get('bMany'), m.get('hMany')])
  const diff = ([b, h]) => (ok(b) && ok(h) ? perRequest(b) - perRequest(h) : Number.NaN)
  const perCall = ([b, h]) => (ok(b) && b.calls > 0 ? diff([b, h]) / (b.calls / b.result.total) : Number.NaN)
  return { byRound: pairs.map(diff), perCallUs: median(pairs.map(perCall)) }
}

/** Groups samples of one framework by round: Map rowKey -> sample, per round. */
function roundsOf(samples, framework, rounds) {
  const byRound = Array.from({ length: rounds }, () => new Map())
  for (const s of samples) if (s.framework === framework) byRound[s.round].set(s.row.key, s)
  return byRound
}

function summarizeRow(row, byRound) {
  const samples = byRound.map((m) => m.get(row.key)).filter((s) => s !== undefined)
  const good = samples.filter(ok)
  return {
    row,
    rps: median(good.map((s) => s.result.rps)),
    p50: median(good.map((s) => s.result.p50)),
    p99: median(good.map((s) => s.result.p99)),
    calls: median(good.map(callsPer1k)),
    cpuPerRequestUs: median(good.map((s) => s.cpuUs / s.result.total)),
    cpuBusy: median(good.map((s) => s.cpuUs / (s.windowMs * 1000))),
    emulatorBusy: median(good.map((s) => s.emulatorCpuUs / (s.windowMs * 1000))),
    vsCeiling: pairedRatio(byRound, row.key, row.baseline ?? 'a'),
    cpuOverControlUs: row.control === undefined ? Number.NaN : pairedCpuDiff(byRound, row.key, row.control),
    rpsByRound: samples.map((s) => (ok(s) ? s.result.rps : Number.NaN)),
    non2xx: good.reduce((sum, s) => sum + s.result.non2xx, 0),
    problems: samples.flatMap((s) => (s.error !== undefined ? [s.error] : s.problems)),
  }
}

/** Per framework: its rows' numbers and the paired ratios the targets need. */
export function summarize(samples, { frameworks, rounds, rows }) {
  return frameworks.map((framework) => {
    const byRound = roundsOf(samples, framework, rounds)
    return {
      framework,
      byRound,
      rows: rows.map((row) => summarizeRow(row, byRound)),
      ratios: {
        bOverA: pairedRatio(byRound, 'b', 'a'),
        bOverD: pairedRatio(byRound, 'b', 'd'),
        manyBOverD: pairedRatio(byRound, 'bMany', 'dMany'),
        manyBOverA: pairedRatio(byRound, 'bMany', 'aMany'),
        manyHOverA: pairedRatio(byRound, 'hMany', 'aMany'),
        manyBOverH: pairedRatio(byRound, 'bMany', 'hMany'),
      },
      refreshCpu: refreshCpu(byRound),
      goal: goalSpread(byRound),
    }
  })
}

/**
 * With a warm cache, a token is verified upstream at most once per `ttlMs`: over a window of W ms
 * that is at most ceil(W / ttlMs) + 1 calls per distinct token (an entry may expire right at the
 * start of the window).
 */
function cacheBound(sample) {
  return sample.row.tokens * (Math.ceil(sample.windowMs / CACHE_TTL_MS) + 1)
}

function verdict(value, target, text) {
  if (!Number.isFinite(value)) return { status: 'N/A', text: `${text}: not measured` }
  return { status: value >= target ? 'PASS' : 'MISS', text }
}

function cacheTarget(fw, key) {
  const samples = fw.byRound.map((m) => m.get(key)).filter(ok)
  const label = key === 'b' ? '1 token' : 'many tokens'
  const text = `${fw.framework}: token-service calls with a warm cache (${label}) <= 1 per token per ${CACHE_TTL_MS} ms`
  if (samples.length === 0) return { status: 'N/A', text: `${text}: not measured` }
  const worst = samples.reduce((w, s) => (s.calls / cacheBound(s) > w.calls / cacheBound(w) ? s : w))
  const status = samples.every((s) => s.calls <= cacheBound(s)) ? 'PASS' : 'MISS'
  const perTokenPerTtl = worst.calls / worst.row.tokens / (worst.windowMs / CACHE_TTL_MS)
  const seconds = (worst.windowMs / 1000).toFixed(1)
  return {
    status,
    text:
      `${text}: worst round ${worst.calls} calls for ${worst.row.tokens} token(s) in ${seconds} s ` +
      `(${perTokenPerTtl.toFixed(2)} per token per ${CACHE_TTL_MS} ms; bound ${cacheBound(worst)} calls)`,
  }
}

/** Every target, per framework, with its verdict. */
export function evaluateTargets(summary) {
  return summary.flatMap((fw) => {
    const { framework, ratios } = fw
    const ceiling = CEILING_TARGETS[framework]
    const f = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a')
    const manyGoal = MANY_TOKENS_GOAL
    return [
      verdict(ratios.bOverA, ceiling, `${framework}: (b) / (a) = ${f(ratios.bOverA)} (target >= ${ceiling})`),
      verdict(
        ratios.manyBOverA,
        manyGoal,
        `${framework}: (b) / (a), many tokens under the same rotating load = ${f(ratios.manyBOverA)} (goal >= ${manyGoal})`,
      ),
      verdict(
        ratios.bOverD,
        CLERK_FACTOR_TARGET,
        `${framework}: (b) / (d) = ${f(ratios.bOverD)} (target >= ${CLERK_FACTOR_TARGET})`,
      ),
      verdict(
        ratios.manyBOverD,
        CLERK_FACTOR_TARGET,
        `${framework}: (b) / (d), many tokens = ${f(ratios.manyBOverD)} (target >= ${CLERK_FACTOR_TARGET})`,
      ),
      cacheTarget(fw, 'b'),
      cacheTarget(fw, 'bMany'),
    ]
  })
}
