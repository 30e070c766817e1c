import type { Clock, FetchLike, M2MToken } from '../types.js'
import type { RetryOptions } from './retry.js'
import type { M2MTokenList } from './wire.js'

/**
 * Where the M2M routes live: `'unversioned'` (`/m2m_tokens`, as Clerk's JS SDK calls them) or `'v1'`
 * (`/v1/m2m_tokens`, as Clerk's OpenAPI spec lists them). Both send `Clerk-API-Version`.
 */
export type PathStyle = 'unversioned' | 'v1'

/** An abortable sleep: resolves after `ms`, rejects with `signal.reason` when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>

/**
 * Options of {@link createM2MClient}. Checked once, when the client is built.
 *
 * @example
 * ```ts
 * const client = createM2MClient({ secretKey: 'ak_...', timeoutMs: 2000 })
 * ```
 */
export interface M2MClientOptions {
  /** A Machine Secret Key (`ak_...`) or the instance Secret Key (`sk_...`). Never logged. */
  secretKey: string
  /**
   * Base URL of Clerk's Backend API (or of the emulator). A trailing slash is ignored.
   * @default 'https://api.clerk.com'
   */
  apiUrl?: string
  /**
   * Sent as the `Clerk-API-Version` header.
   * @default '2026-05-12'
   */
  apiVersion?: string
  /** @default 'unversioned' */
  pathStyle?: PathStyle
  /**
   * Time allowed for one attempt (connect, answer and body), in milliseconds.
   * @default 5000
   */
  timeoutMs?: number
  /**
   * Retry policy of list, revoke and verify (create retries only when a call asks for it), or
   * `false` to turn retries off. Per-call `retry` is merged over this.
   * @default DEFAULT_RETRY
   */
  retry?: RetryOptions | false
  /** @default globalThis.fetch */
  fetch?: FetchLike
  /** Clock for elapsed-time bounds and `Retry-After` dates. @default Date.now */
  now?: Clock
  /** Waits between retries; inject one to test without sleeping. @default a setTimeout sleep */
  sleep?: Sleep
  /** Source of jitter in [0, 1). @default Math.random */
  random?: () => number
}

/** Options of a single call. */
export interface M2MCallOptions {
  /** Merged over the client's policy; `false` turns retries off for this call. */
  retry?: RetryOptions | false
  /** Aborts the call (and any wait between retries); the call rejects with the signal's reason. */
  signal?: AbortSignal
  /**
   * Bound on the whole call in milliseconds, retries and the waits between them included (each
   * attempt is also bounded by the client's `timeoutMs`). An attempt still running at the deadline
   * is cut (`M2MNetworkError` with `timedOut: true`); a retry whose wait would end past it is not
   * made, and the call rejects with the last failure. Default: only the retry policy's bounds.
   */
  deadlineMs?: number
  /** Overrides the client's secret key for this call (e.g. another machine's `ak_`). */
  secretKey?: string
}

/** Parameters of {@link M2MClient.createToken} (authenticate with a Machine Secret Key). */
export interface CreateTokenParams {
  /** Lifetime in seconds (> 0), or `null` for the machine's default. */
  secondsUntilExpiration?: number | null
  /** Custom claims: any JSON value. */
  claims?: unknown
  /** @default 'opaque' */
  tokenFormat?: 'opaque' | 'jwt'
  /** Reuse a live opaque token with at least this many seconds left (integer >= 0). */
  minRemainingTtlSeconds?: number
}

/** Parameters of {@link M2MClient.listTokens}. */
export interface ListTokensParams {
  /** The machine whose tokens to list (`mch_...`). */
  subject: string
  revoked?: boolean
  expired?: boolean
  /** 1..100. @default 10 (server side) */
  limit?: number
  /** @default 0 (server side) */
  offset?: number
}

/** Parameters of {@link M2MClient.revokeToken}. */
export interface RevokeTokenParams {
  /** `mt_` followed by 32 hexadecimal characters. */
  m2mTokenId: string
  revocationReason?: string | null
}

/** Parameters of {@link M2MClient.verifyToken}. */
export interface VerifyTokenParams {
  /** The opaque token to verify. Never logged nor put in an error. */
  token: string
}

/**
 * The four M2M token operations. Every method rejects with `M2MValidationError` (before any
 * request), `M2MApiError`, `M2MNetworkError`, or the abort reason of `callOptions.signal`.
 */
export interface M2MClient {
  /** `POST /m2m_tokens`; the answer carries the secret `token`. Not retried unless asked. */
  createToken(params?: CreateTokenParams, callOptions?: M2MCallOptions): Promise<M2MToken>
  /** `GET /m2m_tokens`: opaque tokens of one machine. */
  listTokens(params: ListTokensParams, callOptions?: M2MCallOptions): Promise<M2MTokenList>
  /** `POST /m2m_tokens/{id}/revoke`: answers the token with `revoked: true`. */
  revokeToken(params: RevokeTokenParams, callOptions?: M2MCallOptions): Promise<M2MToken>
  /** `POST /m2m_tokens/verify`: answers the token object (check `revoked`, `expired`, `scopes`). */
  verifyToken(params: VerifyTokenParams, callOptions?: M2MCallOptions): Promise<M2MToken>
}
