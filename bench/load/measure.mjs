// One autocannon run against one server, with latencies recorded at microsecond precision (the
// autocannon histogram rounds to whole milliseconds, too coarse for a loopback server), and the
// correctness checks that every row passes before it is measured.
import autocannon from 'autocannon'
import { ROUTE } from './apps/common.mjs'

/** Growable buffer of response times (ms), sorted once at the end for percentiles. */
class Latencies {
  #values = new Float64Array(1 << 16)
  #size = 0

  add(ms) {
    if (this.#size === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2)
      grown.set(this.#values)
      this.#values = grown
    }
    this.#values[this.#size++] = ms
  }

  percentiles(...ps) {
    const sorted = this.#values.slice(0, this.#size).sort()
    return ps.map((p) =>
      sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))],
    )
  }
}

/**
 * autocannon options for one run. One token: a fixed Authorization header. Several: each request
 * takes the next token of a counter shared by all connections, so requests in flight at the same
 * moment carry different tokens (static per-connection lists would move in lockstep).
 */
function requestOptions(url, tokens) {
  if (tokens.length === 1) return { url, headers: { authorization: `Bearer ${tokens[0]}` } }
  let next = 0
  const setupRequest = (request) => {
    const token = tokens[next]
    next = next + 1 === tokens.length ? 0 : next + 1
    return { ...request, headers: { authorization: `Bearer ${token}` } }
  }
  return { url, requests: [{ method: 'GET', path: ROUTE, setupRequest }] }
}

/**
 * Runs autocannon for `durationS` seconds, or for `amount` requests.
 *
 * @returns {Promise<{ rps: number, p50: number, p99: number, total: number, durationS: number,
 *   non2xx: number, errors: number, timeouts: number, statusCodes: Record<string, number> }>}
 */
export function runLoad({ baseUrl, tokens, connections, durationS, amount, overallRate }) {
  const latencies = new Latencies()
  const options = {
    ...requestOptions(`${baseUrl}${ROUTE}`, tokens),
    connections,
    // autocannon stops only at a sampling tick (default every second): tick often, so that a run
    // lasts its duration (not the next whole second) and an `amount` run ends soon after its last answer.
    sampleInt: 100,
    ...(overallRate === undefined ? {} : { overallRate }),
    ...(amount === undefined ? { duration: durationS } : { amount }),
  }
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => {
      if (error) return reject(error)
      const [p50, p99] = latencies.percentiles(0.5, 0.99)
      const statusCodes = Object.fromEntries(
        Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]),
      )
      resolve({
        rps: result.requests.total / result.duration,
        p50,
        p99,
        total: result.requests.total,
        durationS: result.duration,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statusCodes,
      })
    })
    instance.on('response', (_client, _status, _bytes, responseTimeMs) => latencies.add(responseTimeMs))
  })
}

async function get(baseUrl, token) {
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` }
  const response = await fetch(`${baseUrl}${ROUTE}`, { headers, signal: AbortSignal.timeout(10_000) })
  const body = await response.json().catch(() => undefined)
  return { status: response.status, subject: body?.subject }
}

/**
 * Before a row is measured: a request with its first and its last token must answer 200 with the
 * expected subject, and (auth rows) a request without credentials must not answer 200, so that a
 * middleware letting everything through cannot pass for a fast one. Throws with what was seen
 * (status and subject, never a token).
 */
export async function checkCorrectness({ baseUrl, tokens, expectedSubject, protectedRoute }) {
  for (const token of new Set([tokens[0], tokens.at(-1)])) {
    const { status, subject } = await get(baseUrl, token)
    if (status !== 200 || subject !== expectedSubject) {
      throw new Error(
        `sample request: expected 200 with subject ${expectedSubject}, got ${status} ${subject}`,
      )
    }
  }
  if (protectedRoute) {
    const { status } = await get(baseUrl, undefined)
    if (status === 200) throw new Error('a request without credentials was answered 200')
  }
}

/** Problems with a measured run that make it wrong rather than slow. */
export function runProblems(result) {
  const problems = []
  if (result.non2xx > 0) problems.push(`${result.non2xx} non-2xx (${JSON.stringify(result.statusCodes)})`)
  if (result.errors > 0) problems.push(`${result.errors} socket errors`)
  if (result.timeouts > 0) problems.push(`${result.timeouts} timeouts`)
  if (result.total === 0) problems.push('no request completed')
  return problems
}
