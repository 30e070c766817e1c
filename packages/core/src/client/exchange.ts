/**
 * The transport seam: one HTTP exchange (request out, status, headers and body text back), so that
 * request.ts (retries, timeouts, error parsing) does not depend on how the bytes travel. On Node the
 * default is a dispatch on undici's global dispatcher (`#transport`, see package.json `imports`);
 * elsewhere, and whenever a `fetch` option is given, it is `fetch`.
 *
 * An exchange settles as soon as its attempt is cancelled (rejecting with the reason), even when
 * the request underneath does not stop: a transport that ignores cancellation cannot hold a call.
 */
import type { FetchLike } from '../types.js'
import type { Cancel } from './cancel.js'

/** One outgoing request, fully built. */
export interface WireRequest {
  method: 'GET' | 'POST'
  url: string
  headers: Record<string, string>
  body: string | undefined
  /** Called off when the attempt times out or the caller aborts. */
  cancel: Cancel
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
  return async ({ method, url, headers, body, cancel }) => {
    const controller = new AbortController()
    // Settles when the attempt is called off, whether or not the given fetch honours its signal.
    const cancelled = new Promise<never>((_, reject) => {
      cancel.onCancel((reason) => {
        controller.abort(reason)
        reject(reason)
      })
    })
    cancelled.catch(() => {}) // the exchange may win every race
    const signal = controller.signal
    const response = await Promise.race([fetch(url, { method, headers, body, signal }), cancelled])
    const text = await Promise.race([response.text(), cancelled])
    cancel.onCancel(undefined)
    return { status: response.status, header: (name) => response.headers.get(name), text }
  }
}
