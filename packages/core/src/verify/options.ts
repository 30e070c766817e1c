/**
 * The verifier's options: their documented defaults and the checks run once, when a verifier is
 * built. A mistake here is a deployment error: `M2MConfigError` naming the option, never the secret.
 */
import { DEFAULT_API_URL, DEFAULT_TIMEOUT_MS } from '../client/options.js'
import type { RetryOptions } from '../client/retry.js'
import type { PathStyle } from '../client/types.js'
import { M2MConfigError } from '../errors.js'
import type { BreakerOptions, BreakerPolicy } from '../guard/breaker.js'
import type { BudgetOptions, BudgetPolicy } from '../guard/budget.js'
import { resolveBreaker, resolveBudget, resolveMachineScope } from '../guard/options.js'
import { isLogger, type Logger } from '../logger.js'
import { checkKnownKeys } from '../options/check.js'
import { CACHE_OPTION_KEYS, JWT_OPTION_KEYS, VERIFIER_OPTION_KEYS } from '../options/keys.js'
import type { Clock, FetchLike } from '../types.js'
import type { CacheStore } from './cache.js'
import type { VerifierEventListener } from './events.js'
import { assertJwtKeyConfig } from './jwt.js'

/** Cache options of {@link VerifierOptions}. */
export interface VerifierCacheOptions {
  /**
   * How long a valid token is served from the cache, in milliseconds; never past its expiration.
   * Also the longest time a revocation made elsewhere can go unnoticed.
   * @default 5000
   */
  ttlMs?: number
  /** Most valid tokens kept in memory (LRU). @default 10000 */
  max?: number
  /**
   * Bound on the memory the valid-token LRU holds, in bytes (an estimate per entry: the token's
   * strings, its claims as JSON and a fixed overhead), next to `max`: whichever is reached first
   * evicts the least recently used entries. An entry larger than this is not cached.
   * @default 33554432 (32 MiB)
   */
  maxBytes?: number
  /**
   * Refresh ahead: a hit in the last `refreshAheadRatio` of an entry's fresh window (`ttlMs`) is
   * answered at once and starts one background re-verification whose answer replaces the entry, so
   * requests for a token in use never wait for its re-verification. Each entry's refresh starts at a
   * point drawn between the window's start and a quarter window earlier, so that tokens verified together do not
   * refresh together. Tokens nobody presents are not refreshed; the revocation bound stays
   * `ttlMs`. A number from 0 to 1; `0` turns it off.
   * @default 0.2
   */
  refreshAheadRatio?: number
  /**
   * How long a definite "no" (unknown, revoked, expired, wrong machine) is remembered, in
   * milliseconds; `0` turns negative caching off. Short, because a "no" is cheap to confirm again
   * and an unknown token may become known (replication delay right after creation).
   * @default 2000
   */
  negativeTtlMs?: number
  /** Most negatives kept (a separate LRU, so garbage never evicts valid tokens). @default 1000 */
  negativeMax?: number
  /**
   * A shared store (e.g. Redis) for valid tokens, behind the in-memory LRU: asked on a memory miss,
   * written after each successful verification, so processes share their answers.
   * @default undefined
   */
  store?: CacheStore
  /**
   * Opt-in stale-if-error: keep valid entries this many milliseconds past their fresh window and
   * serve them only when the token service fails transiently (never past the token's expiration,
   * never after a definite "no" or `invalidate()`). `0` is fail-closed.
   * @default 0
   */
  staleIfErrorMs?: number
}

/** JWT options of {@link VerifierOptions} (key-set caching; see `createJwtVerifier`). */
export interface VerifierJwtOptions {
  /** Age after which the JWKS is refetched, in milliseconds. @default 600000 */
  maxAgeMs?: number
  /** Minimum time between refetches triggered by an unknown `kid`, in milliseconds. @default 30000 */
  cooldownMs?: number
}

/**
 * Takes background work the verifier started for `request` (see `VerifierOptions.waitUntil`). The
 * task never rejects. Answering `false` means "not taken" (this request has no execution context):
 * a store write or delete is then awaited within the request, as without the option. If the
 * function throws, that is logged once and the same happens.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: `(task, ctx) => ctx.waitUntil(task)` returns void, and must fit
export type WaitUntil = (task: Promise<unknown>, request: unknown) => void | boolean

/**
 * Options of `createVerifier`.
 *
 * @example
 * ```ts
 * createVerifier({ secretKey: 'ak_...', machineId: 'mch_...', cache: { ttlMs: 10_000 } })
 * ```
 */
export interface VerifierOptions {
  /** Machine Secret Key (`ak_...`) or instance Secret Key (`sk_test_...`/`sk_live_...`). Never logged. */
  secretKey: string
  /** @default 'https://api.clerk.com' */
  apiUrl?: string
  /** Sent as `Clerk-API-Version`. @default '2026-05-12' */
  apiVersion?: string
  /** @default 'unversioned' */
  pathStyle?: PathStyle
  /**
   * This server's machine (`mch_...`): tokens must list it in their `scopes`. Required (else
   * `createVerifier` throws `M2MConfigError`) whenever this server enforces scoping itself: with
   * the instance key (`sk_`), which accepts any token of the instance, and whenever JWT-format
   * tokens are accepted (verified locally). Adapters read it from `CLERK_MACHINE_ID`.
   * @default undefined
   */
  machineId?: string
  /**
   * Explicit opt-out of the `machineId` requirement, for an instance with a single receiving
   * service: a token scoped to any machine of the instance is accepted. Logs a warning once.
   * Cannot be combined with `machineId`.
   * @default false
   */
  anyMachine?: boolean
  /**
   * The upstream budget: calls to the token service are limited by a token bucket and a cap on
   * calls in flight; a token that cannot be checked within it gets 503 with `Retry-After` (never
   * cached as invalid; cached tokens are not affected). A quarter of it is kept for tokens verified
   * before (their re-verifications), which tokens never seen cannot spend. `false` turns it off.
   * @default { ratePerSecond: 50, burst: 100, maxInFlight: 32 }
   */
  budget?: BudgetOptions | false
  /**
   * The breaker of the verify call (and, separately, of the JWKS fetch): after `failureThreshold`
   * consecutive failures it answers 503 at once for a growing, jittered time, then lets one probe
   * decide. A 429's `Retry-After` stops all calls until it has passed. `false` turns off both.
   * @default { failureThreshold: 3, minOpenMs: 1000, maxOpenMs: 30000 }
   */
  breaker?: BreakerOptions | false
  /** Time allowed for one call to the token service, in milliseconds. @default 5000 */
  timeoutMs?: number
  /**
   * Retries of the verify call, or `false`. The verifier's default is small, so that a verification
   * never takes longer than `max(timeoutMs, retry.maxElapsedMs)`.
   * @default { maxAttempts: 2, maxElapsedMs: timeoutMs }
   */
  retry?: RetryOptions | false
  /** Cache settings, or `false` for no caching at all (every verification calls upstream). */
  cache?: VerifierCacheOptions | false
  /**
   * Share one upstream call among concurrent verifications of the same token. Turn it off on
   * Cloudflare Workers, where a request may not await another request's I/O.
   * @default true
   */
  singleFlight?: boolean
  /**
   * Receives the work the verifier starts for a request and does not make it wait for (a refresh
   * ahead; writes and deletes of a store with `awaitWrites`), with the `request` given to
   * `authenticate()` or `authenticateSync()` (`undefined` from `verify()`). On Cloudflare Workers,
   * hand it to that request's `ExecutionContext.waitUntil`, or the runtime cancels it once the
   * response is sent and the refresh never lands; the Hono adapter does so itself. Answer `false`
   * for a request that has no such context: store work is then awaited instead. Not needed on
   * Node, Bun and Deno.
   *
   * @example
   * ```ts
   * createVerifier({ ..., waitUntil: (task, ctx) => (ctx as ExecutionContext).waitUntil(task) })
   * await verifier.authenticate(request.headers.get('authorization'), rule, ctx)
   * ```
   */
  waitUntil?: WaitUntil
  /**
   * JWT-format tokens: options, or `false` to reject them. When left out, JWTs are accepted if a
   * key is available (`jwtKey`, or an `sk_` secret key that can fetch the JWKS), else rejected.
   */
  jwt?: VerifierJwtOptions | false
  /** PEM (SPKI) public key for networkless JWT verification. */
  jwtKey?: string
  /** Tolerance for JWT `exp`, `nbf` and `iat`, in milliseconds. @default 5000 */
  clockSkewMs?: number
  /** @default globalThis.fetch (looked up at call time) */
  fetch?: FetchLike
  /** Milliseconds since the epoch; inject a fake clock in tests. @default Date.now */
  now?: Clock
  /** Receives cache and upstream events (with a token digest, never the token). */
  onEvent?: VerifierEventListener
  /**
   * Where the verifier's messages go (configuration problems once, outages at most one line per
   * 10 s): an object with `warn` and `error`, such as `console`, pino or Fastify's logger.
   * @default console
   */
  logger?: Logger
}

/** Everything a verifier keeps after its options were checked. */
export interface ResolvedVerifierConfig {
  secretKey: string
  apiUrl: string
  apiVersion: string | undefined
  pathStyle: PathStyle | undefined
  machineId: string | undefined
  /** `anyMachine: true`: no machine id, on purpose. */
  anyMachine: boolean
  budget: BudgetPolicy | false
  breaker: BreakerPolicy | false
  timeoutMs: number
  retry: RetryOptions | false
  /** Bound on one upstream verification, retries included. */
  deadlineMs: number
  cache: Required<Omit<VerifierCacheOptions, 'store'>> & { store: CacheStore | undefined }
  cacheEnabled: boolean
  singleFlight: boolean
  waitUntil: WaitUntil | undefined
  /** `undefined` when JWTs are rejected. */
  jwt: VerifierJwtOptions | undefined
  jwtKey: string | undefined
  clockSkewMs: number
  fetch: FetchLike
  now: Clock
  onEvent: VerifierEventListener | undefined
  logger: Logger
}

const SECRET_KEY_PATTERN = /^(?:ak_|sk_test_|sk_live_)[\x21-\x7e]+$/
const MACHINE_ID_PATTERN = /^mch_\w{1,64}$/

function fail(option: string, message: string): never {
  throw new M2MConfigError(option, message)
}

/** Checks `options` and fills in the defaults. */
export function resolveConfig(options: VerifierOptions): ResolvedVerifierConfig {
  if (typeof options !== 'object' || options === null) fail('options', 'options must be an object')
  checkKnownKeys(options, VERIFIER_OPTION_KEYS)
  if (typeof options.secretKey !== 'string' || !SECRET_KEY_PATTERN.test(options.secretKey)) {
    fail('secretKey', 'secretKey must be a Clerk secret key starting with ak_, sk_test_ or sk_live_')
  }
  if (options.machineId !== undefined && !MACHINE_ID_PATTERN.test(String(options.machineId))) {
    fail('machineId', 'machineId must be a machine id such as mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk')
  }
  const timeoutMs = duration('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS, 1)
  const retry = resolveRetry(options.retry, timeoutMs)
  const jwtKey = optionalString('jwtKey', options.jwtKey)
  const jwt = resolveJwt(options.jwt, options.secretKey, jwtKey)
  const { machineId, secretKey } = options
  // A JWT setting with no key at all is the more basic mistake: report it before the machine id.
  if (jwt !== undefined) assertJwtKeyConfig({ secretKey, jwtKey })
  return {
    secretKey: options.secretKey,
    apiUrl: resolveApiUrl(options.apiUrl),
    apiVersion: options.apiVersion,
    pathStyle: options.pathStyle,
    machineId,
    anyMachine: resolveMachineScope(machineId, options.anyMachine, secretKey, jwt !== undefined),
    budget: resolveBudget(options.budget),
    breaker: resolveBreaker(options.breaker),
    timeoutMs,
    retry,
    deadlineMs: retry === false ? timeoutMs : Math.max(timeoutMs, retry.maxElapsedMs ?? timeoutMs),
    cache: resolveCache(options.cache),
    cacheEnabled: options.cache !== false,
    singleFlight: bool('singleFlight', options.singleFlight, true),
    waitUntil: fn('waitUntil', options.waitUntil),
    jwt,
    jwtKey,
    clockSkewMs: duration('clockSkewMs', options.clockSkewMs, 5000, 0),
    fetch: fn('fetch', options.fetch) ?? ((input, init) => globalThis.fetch(input, init)),
    now: fn('now', options.now) ?? Date.now,
    onEvent: fn('onEvent', options.onEvent),
    logger: resolveLogger(options.logger),
  }
}

function resolveLogger(value: unknown): Logger {
  if (value === undefined) return globalThis.console
  if (!isLogger(value)) fail('logger', 'logger must be an object with warn and error functions')
  return value
}

function resolveApiUrl(value: string | undefined): string {
  if (value === undefined) return DEFAULT_API_URL
  if (typeof value !== 'string' || !URL.canParse(value)) fail('apiUrl', 'apiUrl must be an absolute URL')
  // Normalized as the client does, so that equivalent spellings share a cache scope.
  return new URL(value).href.replace(/\/+$/, '')
}

function resolveRetry(value: RetryOptions | false | undefined, timeoutMs: number): RetryOptions | false {
  if (value === false) return false
  if (value !== undefined && (typeof value !== 'object' || value === null)) {
    fail('retry', 'retry must be an object or false')
  }
  // Verification sits in a request path: one quick retry at most, within the time of one attempt.
  const given = Object.entries(value ?? {}).filter(([, v]) => v !== undefined)
  // A 429 is never retried on a request's path: the guard backs off for the whole verifier instead.
  return { maxAttempts: 2, maxElapsedMs: timeoutMs, ...Object.fromEntries(given), retryRateLimited: false }
}

function resolveCache(value: VerifierCacheOptions | false | undefined): ResolvedVerifierConfig['cache'] {
  if (value !== undefined && value !== false && (typeof value !== 'object' || value === null)) {
    fail('cache', 'cache must be an object or false')
  }
  const c = value || {}
  checkKnownKeys(c, CACHE_OPTION_KEYS, 'cache')
  const s = c.store as unknown as Record<string, unknown> | undefined
  if (s !== undefined && !['get', 'set', 'delete'].every((m) => typeof s?.[m] === 'function')) {
    fail('cache.store', 'cache.store must have get, set and delete methods')
  }
  return {
    ttlMs: duration('cache.ttlMs', c.ttlMs, 5000, 1),
    max: count('cache.max', c.max, 10_000),
    maxBytes: count('cache.maxBytes', c.maxBytes, 32 * 1024 * 1024),
    refreshAheadRatio: ratio('cache.refreshAheadRatio', c.refreshAheadRatio, 0.2),
    negativeTtlMs: duration('cache.negativeTtlMs', c.negativeTtlMs, 2000, 0),
    negativeMax: count('cache.negativeMax', c.negativeMax, 1000),
    staleIfErrorMs: duration('cache.staleIfErrorMs', c.staleIfErrorMs, 0, 0),
    store: c.store,
  }
}

/** JWT acceptance: explicit options, explicit `false`, or (left out) on when a key is available. */
function resolveJwt(
  value: VerifierJwtOptions | false | undefined,
  secretKey: string,
  jwtKey: string | undefined,
): VerifierJwtOptions | undefined {
  if (value === false) return undefined
  if (value === undefined) return jwtKey !== undefined || secretKey.startsWith('sk_') ? {} : undefined
  if (typeof value !== 'object' || value === null) fail('jwt', 'jwt must be an object or false')
  checkKnownKeys(value, JWT_OPTION_KEYS, 'jwt')
  duration('jwt.maxAgeMs', value.maxAgeMs, 1, 1)
  duration('jwt.cooldownMs', value.cooldownMs, 0, 0)
  return value
}

function duration(option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > 2_147_483_647) {
    fail(option, `${option} must be a number of milliseconds >= ${min}`)
  }
  return value
}

function ratio(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value >= 0 && value <= 1))
    fail(option, `${option} must be a number from 0 to 1`)
  return value
}

function count(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    fail(option, `${option} must be a positive integer`)
  }
  return value
}

function bool(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') fail(option, `${option} must be a boolean`)
  return value
}

function optionalString(option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.trim() === '') fail(option, `${option} must be a non-empty string`)
  return value
}

function fn<T>(option: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') fail(option, `${option} must be a function`)
  return value
}
