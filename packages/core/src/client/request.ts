/**
 * The one place that talks HTTP: URL and path style, auth header, per-attempt timeout, caller
 * signal, retries and error parsing. The operations in client.ts only describe requests.
 */
import type { ClerkErrorItem, Clock } from '../types.js'
import { Cancel } from './cancel.js'
import { M2MApiError, M2MNetworkError, redactSecrets } from './errors.js'
import type { Exchange, WireRequest, WireResponse } from './exchange.js'
import { parseRetryAfterMs, type RetryPolicy, retryDelayMs } from './retry.js'
import { throwIfAborted } from './signal.js'
import type { PathStyle, Sleep } from './types.js'
import { WireShapeError } from './wire.js'

/** Everything a client fixes once, when it is built. */
export interface Transport {
  apiUrl: string
  apiVersion: string
  pathStyle: PathStyle
  timeoutMs: number
  /** How requests travel: undici on Node, `fetch` elsewhere or when a `fetch` option is given. */
  exchange: Exchange
  now: Clock
  sleep: Sleep
  random: () => number
}

/** One logical call (possibly several attempts). */
export interface ApiRequest<T> {
  method: 'GET' | 'POST'
  /** Path without the `/v1` prefix, e.g. `/m2m_tokens/verify`. */
  path: string
  query?: URLSearchParams
  body?: unknown
  secretKey: string
  retry: RetryPolicy | undefined
  signal?: AbortSignal | undefined
  /** Bound on the whole call, retries and waits included (each attempt is also bounded by `timeoutMs`). */
  deadlineMs?: number | undefined
  /** Values to scrub from anything Clerk echoes into an error (the key, the token). */
  secrets: readonly string[]
  /** Turns a 2xx JSON body into the result; throws `WireShapeError` on a wrong shape. */
  decode: (body: unknown) => T
}

/** Sends `request`, retrying transient failures as its policy allows, within `deadlineMs` if set. */
export async function send<T>(transport: Transport, request: ApiRequest<T>): Promise<T> {
  const startedAt = transport.now()
  const deadlineAt =
    request.deadlineMs === undefined ? Number.POSITIVE_INFINITY : startedAt + request.deadlineMs
  const maxAttempts = request.retry?.maxAttempts ?? 1
  let lastError: unknown
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    throwIfAborted(request.signal)
    const leftMs = deadlineAt - transport.now()
    if (leftMs <= 0) break
    try {
      return await attemptOnce(transport, request, Math.min(transport.timeoutMs, leftMs))
    } catch (error) {
      lastError = error
      const elapsedMs = transport.now() - startedAt
      const delayMs = retryDelayMs(error, attempt, elapsedMs, request.retry, transport.random)
      // No wait that would end past the deadline: the caller gets the last failure now.
      if (delayMs === undefined || transport.now() + delayMs >= deadlineAt) throw error
      await transport.sleep(delayMs, request.signal)
    }
  }
  throw lastError ?? deadlineError(request, request.deadlineMs ?? 0)
}

/** Builds the absolute URL of `request`: apiUrl has no trailing slash (see client options). */
export function buildUrl(transport: Transport, request: Pick<ApiRequest<unknown>, 'path' | 'query'>): string {
  const prefix = transport.pathStyle === 'v1' ? '/v1' : ''
  const query = request.query?.toString()
  return `${transport.apiUrl}${prefix}${request.path}${query ? `?${query}` : ''}`
}

function buildRequest(transport: Transport, request: ApiRequest<unknown>, cancel: Cancel): WireRequest {
  const headers: Record<string, string> = {
    accept: 'application/json',
    authorization: `Bearer ${request.secretKey}`,
    'clerk-api-version': transport.apiVersion,
  }
  let body: string | undefined
  if (request.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(request.body)
  }
  return { method: request.method, url: buildUrl(transport, request), headers, body, cancel }
}

/**
 * One attempt: send and read the body within `timeoutMs`, then interpret the answer. The hot path of
 * every verify call: one {@link Cancel} (no AbortController), one timer, and a listener on the
 * caller's signal only when there is one (`node bench/miss-ab.mjs`: CPU per miss).
 */
async function attemptOnce<T>(transport: Transport, request: ApiRequest<T>, timeoutMs: number): Promise<T> {
  const cancel = new Cancel()
  const caller = request.signal
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    cancel.cancel(timeoutReason(timeoutMs))
  }, timeoutMs)
  const onCallerAbort = caller === undefined ? undefined : () => cancel.cancel(caller.reason)
  if (onCallerAbort !== undefined) caller?.addEventListener('abort', onCallerAbort, { once: true })
  let response: WireResponse
  try {
    // The exchange settles when `cancel` fires, even if its request does not stop (see exchange.ts).
    response = await transport.exchange(buildRequest(transport, request, cancel))
  } catch (error) {
    throwIfAborted(caller) // the caller gave up: their reason, not ours
    if (timedOut) throw deadlineError(request, timeoutMs, error)
    const where = `${request.method} ${request.path}`
    throw new M2MNetworkError(`Could not reach Clerk API for ${where}`, { cause: error, timedOut: false })
  } finally {
    clearTimeout(timer)
    if (onCallerAbort !== undefined) caller?.removeEventListener('abort', onCallerAbort)
  }
  return interpret(transport, request, response)
}

function deadlineError(request: ApiRequest<unknown>, timeoutMs: number, cause?: unknown): M2MNetworkError {
  const message = `Clerk API did not answer ${request.method} ${request.path} within ${timeoutMs} ms`
  return new M2MNetworkError(message, { cause, timedOut: true })
}

function timeoutReason(timeoutMs: number): unknown {
  return new DOMException(`Timed out after ${timeoutMs} ms`, 'TimeoutError')
}

function interpret<T>(transport: Transport, request: ApiRequest<T>, response: WireResponse): T {
  const { status, text } = response
  if (status < 200 || status > 299) throw apiErrorFrom(transport, request, response, text)
  const body = parseJson(text)
  if (body === undefined) throw malformed(response, 'body is not JSON')
  try {
    return request.decode(body)
  } catch (error) {
    if (error instanceof WireShapeError) throw malformed(response, error.message)
    throw error
  }
}

/** A 2xx we cannot read: Clerk did not say no, so callers may treat it as transient. */
function malformed(response: WireResponse, reason: string): M2MApiError {
  return new M2MApiError({
    status: response.status,
    errors: [
      { code: 'malformed_response', message: 'Clerk API answer could not be read', longMessage: reason },
    ],
    clerkTraceId: response.header('cf-ray') ?? undefined,
    malformedResponse: true,
  })
}

function apiErrorFrom(
  transport: Transport,
  request: ApiRequest<unknown>,
  response: WireResponse,
  text: string,
): M2MApiError {
  const body = parseJson(text)
  const items = readErrorItems(body)
  const errors = items.length > 0 ? redactSecrets(items, request.secrets) : [syntheticItem(response.status)]
  const bodyTraceId = isRecord(body) && typeof body.clerk_trace_id === 'string' ? body.clerk_trace_id : ''
  return new M2MApiError({
    status: response.status,
    errors,
    clerkTraceId: redactSecrets(bodyTraceId || response.header('cf-ray') || undefined, request.secrets),
    retryAfterMs: parseRetryAfterMs(response.header('retry-after'), transport.now()),
  })
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Clerk's `errors[]`, camelCased; items without a string `message` and `code` are skipped. */
function readErrorItems(body: unknown): ClerkErrorItem[] {
  if (!isRecord(body) || !Array.isArray(body.errors)) return []
  const items: ClerkErrorItem[] = []
  for (const raw of body.errors) {
    if (!isRecord(raw) || typeof raw.message !== 'string' || typeof raw.code !== 'string') continue
    const item: ClerkErrorItem = { message: raw.message, code: raw.code }
    if (typeof raw.long_message === 'string') item.longMessage = raw.long_message
    if (isRecord(raw.meta)) item.meta = raw.meta
    items.push(item)
  }
  return items
}

function syntheticItem(status: number): ClerkErrorItem {
  return {
    code: 'unexpected_response',
    message: `Clerk API answered HTTP ${status} without a Clerk error body`,
  }
}
