import { M2MApiError, M2MNetworkError } from './errors.js'

/**
 * How a client call retries transient failures (429, 500, 502, 503, 504, network errors and
 * timeouts): exponential backoff with full jitter, or the server's `Retry-After` when it sends one.
 * Other 4xx answers are never retried.
 *
 * @example
 * ```ts
 * createM2MClient({ secretKey, retry: { maxAttempts: 5, maxElapsedMs: 3000 } })
 * ```
 */
export interface RetryOptions {
  /**
   * Attempts in total, the first one included (1 means no retry).
   * @default 3
   */
  maxAttempts?: number
  /**
   * Backoff ceiling before the first retry; doubles for each further retry.
   * @default 100
   */
  initialDelayMs?: number
  /**
   * Largest backoff ceiling. Does not cap a `Retry-After` sent by the server.
   * @default 2000
   */
  maxDelayMs?: number
  /**
   * No retry starts later than this after the first attempt started. A `Retry-After` that would
   * wait past it ends the call at once with the last error, so the caller sees `retryAfterMs`.
   * @default 10000
   */
  maxElapsedMs?: number
  /**
   * Full jitter: wait a random time between 0 and the backoff ceiling, so that many clients failing
   * together do not retry together.
   * @default true
   */
  jitter?: boolean
  /**
   * Whether a 429 is retried (after its `Retry-After`, within `maxElapsedMs`). The verifier turns
   * it off: on a request's path a 429 is answered at once, and the verifier backs off as a whole.
   * @default true
   */
  retryRateLimited?: boolean
}

/** {@link RetryOptions} with every default filled in. */
export type RetryPolicy = Required<RetryOptions>

/** The defaults of {@link RetryOptions}. */
export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 3,
  initialDelayMs: 100,
  maxDelayMs: 2000,
  maxElapsedMs: 10_000,
  jitter: true,
  retryRateLimited: true,
})

/** HTTP statuses worth another try: rate limited or a passing server-side failure. */
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504])

/**
 * Builds the policy of one call. `idempotent` operations retry by default; the others (create)
 * retry only when the call itself passes retry options, since a retried create can mint two tokens.
 */
export function resolveRetryPolicy(
  clientRetry: RetryOptions | false | undefined,
  callRetry: RetryOptions | false | undefined,
  idempotent: boolean,
): RetryPolicy | undefined {
  if (callRetry === false) return undefined
  if (callRetry === undefined && (!idempotent || clientRetry === false)) return undefined
  return { ...DEFAULT_RETRY, ...defined(clientRetry || {}), ...defined(callRetry ?? {}) }
}

/** Drops `undefined` members so that `{ maxAttempts: undefined }` keeps the default. */
function defined(options: RetryOptions): RetryOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined))
}

/** Whether `error` is a transient failure that another attempt may cure. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof M2MNetworkError) return true
  return error instanceof M2MApiError && !error.malformedResponse && RETRYABLE_STATUSES.has(error.status)
}

/** The full-jitter backoff before retry number `retry` (1 for the first retry). */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (retry - 1))
  if (!policy.jitter) return ceiling
  const r = Math.min(Math.max(random(), 0), 1)
  return Math.floor(r * ceiling)
}

/**
 * How long to wait before attempt `attempt + 1`, or `undefined` to give up and rethrow `error`.
 * `elapsedMs` is the time since the first attempt started.
 */
export function retryDelayMs(
  error: unknown,
  attempt: number,
  elapsedMs: number,
  policy: RetryPolicy | undefined,
  random: () => number,
): number | undefined {
  if (!policy || attempt >= policy.maxAttempts || !isRetryable(error)) return undefined
  if (!policy.retryRateLimited && error instanceof M2MApiError && error.status === 429) return undefined
  const retryAfterMs = error instanceof M2MApiError ? error.retryAfterMs : undefined
  const delay = retryAfterMs ?? backoffDelayMs(attempt, policy, random)
  if (elapsedMs + delay > policy.maxElapsedMs) return undefined
  return delay
}

/**
 * Reads a `Retry-After` header: delay-seconds or an HTTP date (RFC 9110 section 10.2.3), in
 * milliseconds from `nowMs`. Unreadable values yield `undefined`; dates in the past yield 0.
 */
export function parseRetryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  if (!/[a-z]/i.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}
