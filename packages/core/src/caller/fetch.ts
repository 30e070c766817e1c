/**
 * createM2MFetch: a `fetch` that carries the source's token to the listed origins only, follows
 * redirects itself so that the token never travels to another origin, and replays a request once
 * with a new token when the receiver answers 401.
 */
import { M2MConfigError } from '../errors.js'
import { checkKnownKeys } from '../options/check.js'
import { M2M_FETCH_OPTION_KEYS } from '../options/keys.js'
import type { FetchLike } from '../types.js'
import { createOriginMatcher } from './origins.js'
import { type Hop, isReplayableBody, MAX_REDIRECTS, nextHop, REDIRECT_STATUSES } from './redirect.js'
import type { TokenSource } from './token-source.js'

/**
 * Options of {@link createM2MFetch}.
 *
 * @example
 * ```ts
 * createM2MFetch({ source, origins: ['https://billing.internal'] })
 * ```
 */
export interface M2MFetchOptions {
  /** Where tokens come from (see `createTokenSource`). */
  source: Pick<TokenSource, 'getToken' | 'invalidate'>
  /**
   * Origins (`scheme://host[:port]`) that get `Authorization: Bearer <token>`; an exact match, so
   * `http://` and another port are other origins. Requests anywhere else are sent untouched.
   */
  origins: readonly string[]
  /** The fetch that sends each request (called with `redirect: 'manual'`). @default globalThis.fetch */
  fetch?: FetchLike
}

const STANDARD_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']

/**
 * Builds a fetch for calling protected APIs. On a listed origin it sets (replacing any given)
 * `Authorization: Bearer <token>` from `source.getToken()`. Redirects are followed hop by hop
 * (`redirect: 'follow'`, the default; `'manual'` and `'error'` behave as in fetch): a hop to a
 * listed origin gets the token, a hop that leaves the origin loses every credential header. A 401
 * from a listed origin is answered by `source.invalidate(token)` and one replay with a new token,
 * when the body can be sent again (no body, a string, buffer, form, blob or search params; not a
 * stream). The returned `Response.redirected` is false: the redirects were followed here. When no
 * token can be had, it rejects with the source's error (`M2MApiError`, `M2MNetworkError`, ...).
 *
 * @example
 * ```ts
 * const m2mFetch = createM2MFetch({ source, origins: ['https://billing.internal'] })
 * const invoices = await (await m2mFetch('https://billing.internal/invoices')).json()
 * ```
 */
export function createM2MFetch(options: M2MFetchOptions): FetchLike {
  if (typeof options !== 'object' || options === null) {
    throw new M2MConfigError('options', 'options must be an object')
  }
  checkKnownKeys(options, M2M_FETCH_OPTION_KEYS)
  const { source } = options
  if (typeof source?.getToken !== 'function' || typeof source.invalidate !== 'function') {
    throw new M2MConfigError('source', 'source must be a token source (see createTokenSource)')
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new M2MConfigError('fetch', 'fetch must be a function')
  }
  const listed = createOriginMatcher(options.origins)
  const inner: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init))

  /** Sends one hop, with the token when its origin is listed, replayed once after a 401. */
  async function send(hop: Hop, init: RequestInit): Promise<Response> {
    if (!listed.matches(hop.url)) return inner(hop.url.href, hopInit(hop, init))
    const token = await source.getToken()
    hop.headers.set('authorization', `Bearer ${token}`)
    const response = await inner(hop.url.href, hopInit(hop, init))
    if (response.status !== 401 || !hop.replayable) return response
    await response.body?.cancel().catch(() => undefined)
    source.invalidate(token)
    hop.headers.set('authorization', `Bearer ${await source.getToken()}`)
    return inner(hop.url.href, hopInit(hop, init))
  }

  return async function m2mFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const { hop, redirect, rest } = firstHop(input, init)
    let current = hop
    for (let redirects = 0; ; redirects++) {
      const response = await send(current, rest)
      const location = response.headers.get('location')
      if (redirect === 'manual' || !REDIRECT_STATUSES.has(response.status) || location === null) {
        return response
      }
      await response.body?.cancel().catch(() => undefined)
      if (redirect === 'error')
        throw new TypeError('fetch failed: a redirect was answered with redirect: "error"')
      if (redirects >= MAX_REDIRECTS)
        throw new TypeError(`fetch failed: more than ${MAX_REDIRECTS} redirects`)
      current = nextHop(current, response.status, new URL(location, current.url))
    }
  }
}

/** The caller's request as the first hop, its redirect mode, and the rest of its init. */
function firstHop(
  input: string | URL | Request,
  init: RequestInit | undefined,
): { hop: Hop; redirect: RequestRedirect; rest: RequestInit } {
  const request = input instanceof Request ? input : undefined
  const { method, headers, body, redirect, signal, ...rest } = init ?? {}
  const given = method ?? request?.method ?? 'GET'
  const upper = given.toUpperCase()
  const hop: Hop = {
    url: new URL(request ? request.url : String(input)),
    method: STANDARD_METHODS.includes(upper) ? upper : given,
    headers: new Headers(headers ?? request?.headers),
    body: null,
    replayable: true,
  }
  if (body !== undefined && body !== null) {
    hop.body = body
    hop.replayable = isReplayableBody(body)
  } else if (body === undefined && request?.body) {
    // A Request's body is a stream: it can be sent once.
    hop.body = request.body
    hop.replayable = false
  }
  const linked = signal ?? request?.signal
  const extra: RequestInit = linked ? { ...rest, signal: linked } : rest
  return { hop, redirect: redirect ?? request?.redirect ?? 'follow', rest: extra }
}

function hopInit(hop: Hop, rest: RequestInit): RequestInit {
  const init: RequestInit & { duplex?: 'half' } = {
    ...rest,
    method: hop.method,
    headers: hop.headers,
    redirect: 'manual',
  }
  if (hop.body !== null) {
    init.body = hop.body
    // Node's fetch needs this for a stream body; other runtimes ignore it.
    if (!hop.replayable) init.duplex = 'half'
  }
  return init
}
