/**
 * Client options: defaults and the checks run once, when a client is built. A mistake here is a
 * deployment error, so it throws `M2MConfigError` naming the option, never showing the secret.
 */
import { defaultExchange } from '#transport'
import { M2MConfigError } from '../errors.js'
import { checkKnownKeys } from '../options/check.js'
import { CLIENT_OPTION_KEYS } from '../options/keys.js'
import type { FetchLike } from '../types.js'
import { type Exchange, fetchExchange } from './exchange.js'
import type { Transport } from './request.js'
import type { RetryOptions } from './retry.js'
import { abortableSleep } from './signal.js'
import type { M2MClientOptions, PathStyle } from './types.js'
import { checkRetryOptions, checkSecretKey, type Fail } from './validate.js'

/** Default base URL of Clerk's Backend API. */
export const DEFAULT_API_URL = 'https://api.clerk.com'
/** The Backend API version this client was written against. */
export const DEFAULT_API_VERSION = '2026-05-12'
/** Default time allowed for one attempt, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 5000
/** setTimeout fires at once beyond this, which would turn a long timeout into none. */
const MAX_TIMER_MS = 2_147_483_647

const failConfig: Fail = (name, message) => {
  throw new M2MConfigError(name, message)
}

/** What a client keeps after its options were checked. */
export interface ResolvedClientOptions {
  transport: Transport
  secretKey: string
  retry: RetryOptions | false | undefined
}

/** Checks `options` and fills in the defaults. */
export function resolveClientOptions(options: M2MClientOptions): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) failConfig('options', 'options must be an object')
  checkKnownKeys(options, CLIENT_OPTION_KEYS)
  checkSecretKey(options.secretKey, 'secretKey', failConfig)
  checkRetryOptions(options.retry, 'retry', failConfig)
  const transport: Transport = {
    apiUrl: resolveApiUrl(options.apiUrl),
    apiVersion: resolveApiVersion(options.apiVersion),
    pathStyle: resolvePathStyle(options.pathStyle),
    timeoutMs: resolveTimeout(options.timeoutMs),
    exchange: resolveExchange(fn(options.fetch, 'fetch')),
    now: fn(options.now, 'now') ?? Date.now,
    sleep: fn(options.sleep, 'sleep') ?? abortableSleep,
    random: fn(options.random, 'random') ?? Math.random,
  }
  return { transport, secretKey: options.secretKey, retry: options.retry }
}

function resolveApiUrl(value: unknown): string {
  if (value === undefined) return DEFAULT_API_URL
  let url: URL | undefined
  try {
    url = typeof value === 'string' ? new URL(value) : undefined
  } catch {
    url = undefined
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    failConfig('apiUrl', 'apiUrl must be an absolute http(s) URL without query or fragment')
  }
  if (url.username || url.password) failConfig('apiUrl', 'apiUrl must not carry credentials')
  return url.href.replace(/\/+$/, '')
}

function resolveApiVersion(value: unknown): string {
  if (value === undefined) return DEFAULT_API_VERSION
  if (typeof value !== 'string' || !/^[\x21-\x7e]+$/.test(value)) {
    failConfig('apiVersion', 'apiVersion must be a non-empty string such as "2026-05-12"')
  }
  return value
}

function resolvePathStyle(value: unknown): PathStyle {
  if (value === undefined) return 'unversioned'
  if (value !== 'unversioned' && value !== 'v1')
    failConfig('pathStyle', 'pathStyle must be "unversioned" or "v1"')
  return value
}

function resolveTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    failConfig('timeoutMs', `timeoutMs must be a number of milliseconds > 0 and <= ${MAX_TIMER_MS}`)
  }
  return value
}

function fn<T>(value: T | undefined, name: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') failConfig(name, `${name} must be a function`)
  return value
}

/** A given `fetch` always wins (tests, proxies); else the runtime's transport, else global fetch. */
function resolveExchange(fetch: FetchLike | undefined): Exchange {
  if (fetch !== undefined) return fetchExchange(fetch)
  return defaultExchange() ?? fetchExchange(defaultFetch())
}

function defaultFetch(): FetchLike {
  if (typeof globalThis.fetch !== 'function') {
    failConfig('fetch', 'this runtime has no global fetch: pass the fetch option')
  }
  // Bound, because some runtimes throw "Illegal invocation" when fetch is called as a method.
  return globalThis.fetch.bind(globalThis)
}
