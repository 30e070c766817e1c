import {
  createLocalJWKSet,
  errors,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  type LocalJWKSet,
} from 'jose'
import { type Breaker, type BreakerPolicy, createBreaker, DEFAULT_BREAKER } from '../guard/breaker.js'
import { learn, markRateLimited, refusal } from '../guard/guard.js'
import {
  AuthError,
  InvalidTokenError,
  ServerConfigError,
  TokenServiceUnavailableError,
} from '../http/errors.js'
import type { Clock, FetchLike } from '../types.js'

/** Options of {@link createKeySetSource}; see `JwtVerifierOptions` for their meaning and defaults. */
export interface KeySetSourceOptions {
  apiUrl: string
  secretKey: string
  fetch: FetchLike
  timeoutMs: number
  now: Clock
  maxAgeMs: number
  cooldownMs: number
  /**
   * Whether concurrent callers share one fetch. Off on Cloudflare Workers, where a request may not
   * await I/O started by another request (the verifier's `singleFlight: false`).
   * @default true
   */
  shareInFlight?: boolean
  /**
   * The JWKS fetch's own breaker (separate from the verify call's); shared, like the key set, by
   * every verifier of the instance: the first one's policy applies.
   * @default DEFAULT_BREAKER
   */
  breaker?: BreakerPolicy | false
}

/** Returns the candidate public keys for a JWS header (usually one). Throws only `AuthError`s. */
export type KeyResolver = (header: JWSHeaderParameters) => Promise<CryptoKey[]>

interface LoadedKeySet {
  resolve: LocalJWKSet
  fetchedAt: number
}

/** One instance's key set, shared by every verifier with the same API URL and secret key. */
interface KeySetEntry {
  current: LoadedKeySet | undefined
  /** The one fetch in flight, shared; dropped as soon as it settles. */
  inflight: Promise<LoadedKeySet> | undefined
  /** When the latest fetch started (success or failure): the cooldown counts from here. */
  lastFetchAt: number
  /** Opens when fetches keep failing, so that requests are not each held for a timeout. */
  breaker: Breaker
}

/** Enough for every instance a process plausibly talks to; the oldest entry goes first beyond it. */
const MAX_ENTRIES = 64
const entries = new Map<string, KeySetEntry>()

/**
 * Builds the JWKS-backed key resolver: keys are fetched from `${apiUrl}/v1/jwks` with the secret key
 * and cached at module level, keyed by API URL and a SHA-256 digest of the secret key (never by
 * `kid` alone: two instances may publish the same `kid`, and neither may accept the other's tokens).
 *
 * - A key set older than `maxAgeMs` is refetched; if that fails with a transient error the old keys
 *   stay in use (stale-while-error, key set only) and the next attempt waits `cooldownMs`.
 * - A `kid` missing from the set triggers at most one refetch per `cooldownMs`; in between it is
 *   an `InvalidTokenError` ("unknown key id") at no network cost.
 * - Concurrent callers share one fetch; every fetch is bounded by `timeoutMs`.
 */
export function createKeySetSource(opts: KeySetSourceOptions): KeyResolver {
  let cacheKey: Promise<string> | undefined
  return async function resolveKeys(header) {
    cacheKey ??= keySetCacheKey(opts.apiUrl, opts.secretKey)
    const entry = entryFor(await cacheKey, opts)
    const keySet = await usableKeySet(entry, opts)
    const keys = await matchingKeys(keySet, header)
    if (keys !== undefined) return keys
    return unknownKid(entry, header, opts)
  }
}

/** The `kid` is not in the set we hold: maybe a rotation we have not seen yet. */
async function unknownKid(entry: KeySetEntry, header: JWSHeaderParameters, opts: KeySetSourceOptions) {
  const pending = inflightOf(entry, opts)
  // A fetch already under way may bring the key: wait for it rather than reject a fresh token.
  if (pending === undefined && opts.now() - entry.lastFetchAt < opts.cooldownMs) {
    throw new InvalidTokenError('unknown key id')
  }
  const keySet = await (pending ?? refresh(entry, opts))
  const keys = await matchingKeys(keySet, header)
  if (keys === undefined) throw new InvalidTokenError('unknown key id')
  return keys
}

async function usableKeySet(entry: KeySetEntry, opts: KeySetSourceOptions): Promise<LoadedKeySet> {
  const current = entry.current
  const pending = inflightOf(entry, opts)
  if (current === undefined) return pending ?? refresh(entry, opts)
  const now = opts.now()
  if (now - current.fetchedAt < opts.maxAgeMs) return current
  // Stale. After a failed refresh, do not make every request wait for another timeout.
  if (pending === undefined && now - entry.lastFetchAt < opts.cooldownMs) return current
  try {
    return await (pending ?? refresh(entry, opts))
  } catch (error) {
    // Our key being rejected is a deployment mistake that must surface; an outage is not.
    if (error instanceof TokenServiceUnavailableError) return current
    throw error
  }
}

function refresh(entry: KeySetEntry, opts: KeySetSourceOptions): Promise<LoadedKeySet> {
  const pass = entry.breaker.admit()
  if ('reason' in pass) return Promise.reject(refusal(pass.reason, pass.retryAfterMs).error)
  entry.lastFetchAt = opts.now()
  const loading: Promise<LoadedKeySet> = fetchKeySet(opts)
    .then((jwks) => {
      const loaded = { resolve: localKeySet(jwks), fetchedAt: opts.now() }
      entry.current = loaded
      learn(entry.breaker, pass, undefined)
      return loaded
    })
    .catch((error: unknown) => {
      learn(entry.breaker, pass, error)
      throw error
    })
    .finally(() => {
      if (entry.inflight === loading) entry.inflight = undefined
    })
  if (opts.shareInFlight !== false) entry.inflight = loading
  return loading
}

/** The fetch another caller has in flight, if this source may wait for it. */
function inflightOf(entry: KeySetEntry, opts: KeySetSourceOptions): Promise<LoadedKeySet> | undefined {
  return opts.shareInFlight === false ? undefined : entry.inflight
}

function localKeySet(jwks: JSONWebKeySet): LocalJWKSet {
  try {
    return createLocalJWKSet(jwks)
  } catch (cause) {
    throw new TokenServiceUnavailableError(1, cause, 'The JWKS answer is malformed')
  }
}

/** The keys of `keySet` that match the header, or `undefined` when none has its `kid`. */
async function matchingKeys(keySet: LoadedKeySet, header: JWSHeaderParameters) {
  try {
    return [await keySet.resolve(header)]
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey) return undefined
    if (error instanceof errors.JWKSMultipleMatchingKeys) {
      const keys: CryptoKey[] = []
      for await (const key of error) keys.push(key)
      return keys
    }
    if (error instanceof errors.JOSENotSupported) throw new InvalidTokenError('unsupported algorithm')
    throw new InvalidTokenError('no usable key for this token', error)
  }
}

/** Fetches and checks the JWKS; the timeout covers the body too and leaves no timer behind. */
async function fetchKeySet(opts: KeySetSourceOptions): Promise<JSONWebKeySet> {
  const controller = new AbortController()
  // Racing the abort too keeps the bound even with an injected fetch that ignores `signal`.
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })
  })
  aborted.catch(() => undefined)
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs)
  try {
    // Called unbound: some runtimes reject a `fetch` invoked as a method of another object.
    const fetchFn = opts.fetch
    const request = fetchFn(jwksUrl(opts.apiUrl), {
      headers: { authorization: `Bearer ${opts.secretKey}`, accept: 'application/json' },
      signal: controller.signal,
    })
    const response = await Promise.race([request, aborted])
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined)
      throw statusError(response)
    }
    const body: unknown = await Promise.race([response.json(), aborted])
    if (!isKeySet(body)) throw new TokenServiceUnavailableError(1, undefined, 'The JWKS answer is malformed')
    return body
  } catch (error) {
    if (error instanceof AuthError) throw error
    const description = controller.signal.aborted
      ? 'The JWKS request timed out'
      : 'The JWKS could not be fetched'
    throw new TokenServiceUnavailableError(1, error, description)
  } finally {
    clearTimeout(timer)
  }
}

function statusError(response: Response): AuthError {
  const { status } = response
  if (status === 401 || status === 403) {
    return new ServerConfigError('The token service rejected the secret key used to fetch the JWKS')
  }
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'))
    const error = new TokenServiceUnavailableError(
      retryAfterSeconds,
      undefined,
      `The JWKS request failed (${status})`,
    )
    if (status === 429) markRateLimited(error, retryAfterSeconds * 1000)
    return error
  }
  // 404 and other 4xx do not heal by retrying: most likely a wrong `apiUrl`.
  return new ServerConfigError(`The JWKS request failed (${status}): check the API URL`)
}

/** Seconds from a `Retry-After` header (delta-seconds form), else 1; capped at an hour. */
function parseRetryAfter(value: string | null): number {
  const seconds = value === null ? Number.NaN : Number(value)
  return Number.isFinite(seconds) && seconds >= 1 ? Math.min(Math.ceil(seconds), 3600) : 1
}

function isKeySet(body: unknown): body is JSONWebKeySet {
  if (typeof body !== 'object' || body === null) return false
  const keys: unknown = (body as { keys?: unknown }).keys
  return Array.isArray(keys) && keys.every((key) => typeof key === 'object' && key !== null)
}

/** `${apiUrl}/v1/jwks`, tolerating a trailing slash on the API URL. */
export function jwksUrl(apiUrl: string): string {
  return `${apiUrl.replace(/\/+$/, '')}/v1/jwks`
}

function entryFor(key: string, opts: KeySetSourceOptions): KeySetEntry {
  let entry = entries.get(key)
  if (entry === undefined) {
    const breaker = createBreaker(opts.breaker ?? DEFAULT_BREAKER, opts.now)
    entry = { current: undefined, inflight: undefined, lastFetchAt: Number.NEGATIVE_INFINITY, breaker }
    if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value as string)
  } else {
    entries.delete(key) // re-insert below: Map order doubles as least-recently-used order
  }
  entries.set(key, entry)
  return entry
}

/** API URL + SHA-256 of the secret key: the key itself never becomes part of a cache key. */
async function keySetCacheKey(apiUrl: string, secretKey: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secretKey))
  const hex = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
  return `${jwksUrl(apiUrl)} ${hex}`
}
