/**
 * Options of `createTokenSource`: their documented defaults and the checks run once, when a source is
 * built. A mistake here is a deployment error: `M2MConfigError` naming the option (and the
 * environment variable where one applies), never showing the key.
 */

import { M2MValidationError } from '../client/errors.js'
import type { RetryOptions } from '../client/retry.js'
import type { PathStyle } from '../client/types.js'
import { validateCreateParams } from '../client/validate.js'
import { MACHINE_SECRET_KEY_ENV_VAR } from '../config.js'
import { M2MConfigError } from '../errors.js'
import { isLogger, type Logger } from '../logger.js'
import { checkKnownKeys } from '../options/check.js'
import { TOKEN_SOURCE_OPTION_KEYS } from '../options/keys.js'
import type { Clock, FetchLike } from '../types.js'
import type { TokenSourceEventListener } from './events.js'

/**
 * Options of `createTokenSource`.
 *
 * @example
 * ```ts
 * createTokenSource({ secretKey: 'ak_...', secondsUntilExpiration: 3600, refreshBeforeMs: 300_000 })
 * ```
 */
export interface TokenSourceOptions {
  /** The sending machine's Machine Secret Key (`ak_...`); the instance key cannot create tokens. Never logged. */
  secretKey: string
  /** @default 'https://api.clerk.com' */
  apiUrl?: string
  /** Sent as `Clerk-API-Version`. @default '2026-05-12' */
  apiVersion?: string
  /** @default 'unversioned' */
  pathStyle?: PathStyle
  /** Lifetime asked for each token, in seconds. @default 3600 */
  secondsUntilExpiration?: number
  /** @default 'opaque' */
  tokenFormat?: 'opaque' | 'jwt'
  /** Custom claims of every token (any JSON value). @default undefined */
  claims?: unknown
  /**
   * Passed to Clerk: reuse a live opaque token (same claims and scopes) with at least this many
   * seconds left instead of minting one. Must be below `secondsUntilExpiration`.
   * @default undefined
   */
  minRemainingTtlSeconds?: number
  /**
   * The soft window, in milliseconds before expiry: a caller in it gets the current token at once and
   * one background create replaces it. Never more than half the token's lifetime.
   * @default 300000
   */
  refreshBeforeMs?: number
  /**
   * The hard window, in milliseconds before expiry: a token this close to expiring is never handed
   * out; callers wait for a new one. Never more than a quarter of the token's lifetime; below
   * `refreshBeforeMs`.
   * @default 30000
   */
  hardRefreshBeforeMs?: number
  /** Time allowed for one create call, in milliseconds. @default 5000 */
  timeoutMs?: number
  /**
   * Retries inside one create call (a retried create may mint one token more), or `false`. Between
   * failed create calls the source itself backs off, with jitter.
   * @default { maxAttempts: 2, maxElapsedMs: timeoutMs }
   */
  retry?: RetryOptions | false
  /** @default globalThis.fetch (looked up at call time) */
  fetch?: FetchLike
  /** Milliseconds since the epoch; inject a fake clock in tests. @default Date.now */
  now?: Clock
  /** Receives create and refresh events (token ids only, never a token). */
  onEvent?: TokenSourceEventListener
  /** Where the source's messages go (a refused key once, outages rate-limited). @default console */
  logger?: Logger
}

/** Everything a source keeps after its options were checked. */
export interface ResolvedTokenSourceConfig {
  client: {
    secretKey: string
    apiUrl?: string
    apiVersion?: string
    pathStyle?: PathStyle
    timeoutMs: number
    fetch: FetchLike
    now: Clock
  }
  create: {
    secondsUntilExpiration: number
    tokenFormat?: 'opaque' | 'jwt'
    claims?: unknown
    minRemainingTtlSeconds?: number
  }
  retry: RetryOptions | false
  refreshBeforeMs: number
  hardRefreshBeforeMs: number
  now: Clock
  onEvent: TokenSourceEventListener | undefined
  logger: Logger
}

const MAX_TIMER_MS = 2_147_483_647

function fail(option: string, message: string): never {
  throw new M2MConfigError(option, message)
}

/** Checks `options` and fills in the defaults. */
export function resolveTokenSourceConfig(options: TokenSourceOptions): ResolvedTokenSourceConfig {
  if (typeof options !== 'object' || options === null) fail('options', 'options must be an object')
  checkKnownKeys(options, TOKEN_SOURCE_OPTION_KEYS)
  checkMachineKey(options.secretKey)
  const timeoutMs = duration('timeoutMs', options.timeoutMs, 5000, 1)
  const seconds = options.secondsUntilExpiration ?? 3600
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    fail('secondsUntilExpiration', 'secondsUntilExpiration must be a number of seconds > 0')
  }
  const refreshBeforeMs = duration('refreshBeforeMs', options.refreshBeforeMs, 300_000, 0)
  const hardRefreshBeforeMs = duration('hardRefreshBeforeMs', options.hardRefreshBeforeMs, 30_000, 0)
  if (hardRefreshBeforeMs > refreshBeforeMs) {
    fail('hardRefreshBeforeMs', 'hardRefreshBeforeMs must not exceed refreshBeforeMs')
  }
  const create = {
    secondsUntilExpiration: seconds,
    ...defined({
      tokenFormat: options.tokenFormat,
      claims: options.claims,
      minRemainingTtlSeconds: options.minRemainingTtlSeconds,
    }),
  }
  checkCreateParams(create)
  const now = fn('now', options.now) ?? Date.now
  return {
    client: {
      secretKey: options.secretKey,
      ...defined({ apiUrl: options.apiUrl, apiVersion: options.apiVersion, pathStyle: options.pathStyle }),
      timeoutMs,
      fetch: fn('fetch', options.fetch) ?? ((input, init) => globalThis.fetch(input, init)),
      now,
    },
    create,
    retry: resolveRetry(options.retry, timeoutMs),
    refreshBeforeMs,
    hardRefreshBeforeMs,
    now,
    onEvent: fn('onEvent', options.onEvent),
    logger: resolveLogger(options.logger),
  }
}

/** Only a Machine Secret Key can create tokens: an instance key or garbage stops the app at startup. */
function checkMachineKey(value: unknown): asserts value is string {
  const how = `pass the sending machine's Machine Secret Key (ak_...) as \`secretKey\` or set ${MACHINE_SECRET_KEY_ENV_VAR}`
  if (typeof value === 'string' && /^sk_(?:test|live)_/.test(value)) {
    fail('secretKey', `secretKey is the instance Secret Key (sk_...), which cannot create M2M tokens: ${how}`)
  }
  if (typeof value !== 'string' || !/^ak_[\x21-\x7e]+$/.test(value)) {
    fail('secretKey', `secretKey must be a Machine Secret Key starting with ak_: ${how}`)
  }
}

/** The client checks these per call; a source sends the same ones every time, so check them now. */
function checkCreateParams(create: ResolvedTokenSourceConfig['create']): void {
  try {
    validateCreateParams(create)
  } catch (error) {
    if (error instanceof M2MValidationError) fail(error.parameter, error.message)
    throw error
  }
}

function resolveRetry(value: RetryOptions | false | undefined, timeoutMs: number): RetryOptions | false {
  if (value === false) return false
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    fail('retry', 'retry must be an object or false')
  }
  // One quick retry within the time of one attempt: the source backs off between create calls itself.
  return { maxAttempts: 2, maxElapsedMs: timeoutMs, ...defined({ ...value }) }
}

function resolveLogger(value: unknown): Logger {
  if (value === undefined) return globalThis.console
  if (!isLogger(value)) fail('logger', 'logger must be an object with warn and error functions')
  return value
}

function duration(option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_TIMER_MS) {
    fail(option, `${option} must be a number of milliseconds >= ${min}`)
  }
  return value
}

function fn<T>(option: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') fail(option, `${option} must be a function`)
  return value
}

/** Drops `undefined` members, so that they do not override defaults further down. */
function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
