/**
 * The logger seam: every message the library writes goes through the `logger` option (console,
 * pino, Fastify's `request.log`/`app.log` all fit). Configuration messages are written once;
 * outage messages at most once per interval per verifier, with a count of what was held back, so a
 * token-service outage cannot flood the log. Messages never contain a token or a secret key.
 */

/** What the library needs of a logger: `warn` and `error`; `info` and `debug` when present. */
export interface Logger {
  warn(message: string, ...rest: unknown[]): void
  error(message: string, ...rest: unknown[]): void
  info?(message: string, ...rest: unknown[]): void
  debug?(message: string, ...rest: unknown[]): void
}

/** The library's own view of a logger: once-only and rate-limited writes. */
export interface LibraryLog {
  /** The logger given in the options (or the console). */
  readonly logger: Logger
  /** Writes `message` at `level` the first time `key` is seen by this log, never again. */
  once(key: string, level: 'warn' | 'error', message: string): void
  /**
   * An outage line: at most one per `intervalMs` per log; the next line that is written says how
   * many were held back in between.
   */
  outage(message: string): void
  /** Debug details (only when the logger has `debug`). */
  debug(message: string): void
}

/** How often an outage line may be written, per verifier. @default 10000 */
export const OUTAGE_LOG_INTERVAL_MS = 10_000

/**
 * Wraps a logger (default: the console) into once-only and rate-limited writes.
 *
 * @example
 * ```ts
 * const log = createLibraryLog(pino())
 * log.once('jwt-off', 'warn', 'JWT-format tokens are refused: no key can verify them')
 * log.outage('the token service is failing (503)')
 * ```
 */
export function createLibraryLog(
  logger: Logger = globalThis.console,
  now: () => number = Date.now,
  intervalMs: number = OUTAGE_LOG_INTERVAL_MS,
): LibraryLog {
  const seen = new Set<string>()
  let lastOutageAt = Number.NEGATIVE_INFINITY
  let suppressed = 0
  return {
    logger,
    once(key, level, message) {
      if (seen.has(key)) return
      seen.add(key)
      logger[level](`[m2m-auth] ${message}`)
    },
    outage(message) {
      const at = now()
      if (at - lastOutageAt < intervalMs) {
        suppressed++
        return
      }
      lastOutageAt = at
      const held = suppressed > 0 ? ` (${suppressed} similar messages suppressed)` : ''
      suppressed = 0
      logger.error(`[m2m-auth] ${message}${held}`)
    },
    debug(message) {
      logger.debug?.(`[m2m-auth] ${message}`)
    },
  }
}

/** Checks a `logger` option: an object with `warn` and `error` functions. */
export function isLogger(value: unknown): value is Logger {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v.warn === 'function' && typeof v.error === 'function'
}
