/**
 * The load of the soak test: workers sending a mix of live, revoked, unknown and malformed tokens
 * to one server over keep-alive connections, and an oracle that tells injected failures (a 503
 * while the token service failed) from real errors.
 */
import type { FetchLike } from '@m2m-auth/core'
import type { IssuedToken } from '../../helpers/emulator.js'
import { loopbackFetch } from '../../helpers/http.js'
import { unknownOpaqueToken } from './env.js'
import { garbageToken } from './garbage.js'
import { RawHttpConnection } from './raw-http.js'

/** Upstream failures (5xx answers and network errors) seen by one verifier's transport. */
export interface FailureCounter {
  failures: number
}

/** `loopbackFetch` that counts the token service's failures, so 503s can be attributed to them. */
export function countingFetch(counter: FailureCounter): FetchLike {
  return async (input, init) => {
    try {
      const response = await loopbackFetch(input as string, init)
      if (response.status >= 500) counter.failures++
      return response
    } catch (error) {
      counter.failures++
      throw error
    }
  }
}

/** The changing token population: live tokens, and revoked ones with when they were revoked. */
export interface Population {
  live: IssuedToken[]
  revoked: Array<{ token: IssuedToken; revokedAt: number }>
  /**
   * Every token taken out of `live` to be revoked: a request that picked it just before may see
   * the revocation (401) and is not an error.
   */
  retired: Set<string>
}

/** What one soak run against one server saw. */
export interface LoadTally {
  requests: number
  statuses: Record<string, number>
  /** Answers no injected fault explains (described without any token). */
  unexpected: string[]
}

type Pick = { kind: 'live' | 'revoked' | 'unknown' | 'malformed'; token: string; revokedAt?: number }

let unknownCounter = 0
let garbageCounter = 0

function pick(population: Population, random: () => number): Pick {
  const r = random()
  const { live, revoked } = population
  if (r < 0.75 && live.length > 0)
    return { kind: 'live', token: live[Math.floor(random() * live.length)]!.token }
  if (r < 0.8 && revoked.length > 0) {
    const entry = revoked[Math.floor(random() * revoked.length)]!
    return { kind: 'revoked', token: entry.token.token, revokedAt: entry.revokedAt }
  }
  if (r < 0.9) return { kind: 'unknown', token: unknownOpaqueToken(1_000_000 + ++unknownCounter) }
  // Malformed shapes only: slots 0 and 1 of garbageToken are well-formed, 2..6 cycle the shapes.
  const n = ++garbageCounter
  return { kind: 'malformed', token: garbageToken(n * 1000 + 2 + (n % 5), 1000).token }
}

/** Whether `status` is explained for this pick (`failed`: the token service failed meanwhile). */
function explained(
  p: Pick,
  status: number,
  failed: boolean,
  startedAt: number,
  graceMs: number,
  retired: ReadonlySet<string>,
): boolean {
  if (p.kind === 'malformed') return status === 400 || status === 401
  if (status === 503) return failed
  if (p.kind === 'live') return status === 200 || (status === 401 && retired.has(p.token))
  if (p.kind === 'unknown') return status === 401
  // A revoked token may still be served from the cache until its fresh window ends.
  return status === 401 || (status === 200 && startedAt < (p.revokedAt ?? 0) + graceMs)
}

/** Options of {@link runWorkers}. */
export interface LoadOptions {
  url: string
  workers: number
  until: number
  population: Population
  counter: FailureCounter
  /** How long a revoked token may still pass: ttlMs plus slack. */
  graceMs: number
  random: () => number
  /** Hard bound on requests per worker, whatever the clock says. */
  maxRequestsPerWorker: number
}

/** Runs `workers` sequential keep-alive clients until `until` (a `performance.now()` instant). */
export async function runWorkers(options: LoadOptions): Promise<LoadTally> {
  const tally: LoadTally = { requests: 0, statuses: {}, unexpected: [] }
  const worker = async () => {
    const connection = new RawHttpConnection(options.url)
    try {
      for (let n = 0; n < options.maxRequestsPerWorker && performance.now() < options.until; n++) {
        const p = pick(options.population, options.random)
        const failuresBefore = options.counter.failures
        const startedAt = performance.now()
        const head = `GET /protected HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${p.token}`
        let status: number
        try {
          status = (await connection.request(head, 10_000)).status
        } catch (error) {
          tally.unexpected.push(`${p.kind}: ${(error as Error).message}`)
          continue
        }
        tally.requests++
        tally.statuses[status] = (tally.statuses[status] ?? 0) + 1
        const failed = options.counter.failures > failuresBefore
        if (!explained(p, status, failed, startedAt, options.graceMs, options.population.retired)) {
          tally.unexpected.push(`${p.kind} token answered ${status}`)
        }
      }
    } finally {
      connection.close()
    }
  }
  await Promise.all(Array.from({ length: options.workers }, worker))
  return tally
}
