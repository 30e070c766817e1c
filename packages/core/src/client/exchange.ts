/**
 * The transport seam: one HTTP exchange (request out, status, headers and body text back), so that
 * request.ts (retries, timeouts, error parsing) does not depend on how the bytes travel. On Node the
 * default is undici's `request` API (`#transport`, see package.json `imports`); elsewhere, and
 * whenever a `fetch` option is given, it is `fetch`.
 */
import type { FetchLike } from '../types.js'

/** One outgoing request, fully built. */
export interface WireRequest {
  method: 'GET' | 'POST'
  url: string
  headers: Record<string, string>
  body: string | undefined
  signal: AbortSignal
}

/** What request.ts reads of an answer. */
export interface WireResponse {
  status: number
  /** A response header by lower-case name, or `null`. */
  header(name: string): string | null
  text: string
}

/** Sends one request and reads its whole body; rejects on network failure or abort. */
export type Exchange = (request: WireRequest) => Promise<WireResponse>

/**
 * The exchange over a Web `fetch`.
 *
 * @example
 * ```ts
 * const exchange = fetchExchange(globalThis.fetch.bind(globalThis))
 * ```
 */
export function fetchExchange(fetch: FetchLike): Exchange {
  return async ({ method, url, headers, body, signal }) => {
    const response = await fetch(url, { method, headers, body, signal })
    const text = await response.text()
    return { status: response.status, header: (name) => response.headers.get(name), text }
  }
}
