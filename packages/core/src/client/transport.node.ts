/**
 * `#transport` on Node: the verify call is dispatched through undici's global dispatcher with a
 * handler of our own that collects the body, which skips what `fetch` builds per call
 * (Request/Response objects, Web streams, header guards) and what undici's `request()` helper
 * adds on top of a dispatch (a Readable body stream, its promise plumbing, its own abort wiring):
 * `node bench/transport.bench.mjs` gives the client CPU per verification of each. Selected by the
 * `imports` conditions of package.json, so no other runtime ever loads undici. It uses the global
 * dispatcher, which Node's own `fetch` shares (so `setGlobalDispatcher`, an undici `MockAgent` or
 * an interceptor composed onto it apply to both).
 *
 * The handler speaks the dispatch API that every undici dispatcher accepts, Node 20's bundled one
 * (undici 6, which may be the global dispatcher when the app used `fetch` before this module
 * loaded) included.
 */
import type { Dispatcher } from 'undici'
import { getGlobalDispatcher } from 'undici'
import type { Exchange, WireRequest, WireResponse } from './exchange.js'

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const

/** A header reader over undici's raw header list (`[name, value, ...]`), parsed only when asked. */
function headerReader(raw: readonly (Buffer | string)[] | null): WireResponse['header'] {
  return (name) => {
    let found: string | null = null
    if (raw === null) return found
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (String(raw[i]).toLowerCase() !== name) continue
      const value = String(raw[i + 1])
      found = found === null ? value : `${found}, ${value}`
    }
    return found
  }
}

/** The body as text: UTF-8, without a byte order mark (as `fetch`'s and undici's `text()`). */
function bodyText(chunks: Buffer[]): string {
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
  const bom = body.length >= 3 && UTF8_BOM.every((byte, i) => body[i] === byte)
  return body.toString('utf8', bom ? 3 : 0)
}

/**
 * One exchange: resolves once the whole body is in, rejects on a network error, and rejects with
 * the reason as soon as the attempt is cancelled (the dispatch is aborted too).
 */
function exchange({ method, url, headers, body, cancel }: WireRequest): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    if (cancel.cancelled) {
      reject(cancel.reason)
      return
    }
    const { origin, pathname, search } = new URL(url)
    let status = 0
    let rawHeaders: (Buffer | string)[] | null = null
    const chunks: Buffer[] = []
    const handler: Dispatcher.DispatchHandler = {
      // Called again when undici retries the request on another socket: the latest abort wins.
      onConnect(abort) {
        cancel.onCancel((reason) => {
          abort(reason instanceof Error ? reason : undefined)
          reject(reason)
        })
      },
      onHeaders(statusCode, headerList) {
        status = statusCode
        rawHeaders = headerList as (Buffer | string)[]
        return true
      },
      onData(chunk) {
        chunks.push(chunk)
        return true
      },
      onComplete() {
        cancel.onCancel(undefined)
        resolve({ status, header: headerReader(rawHeaders), text: bodyText(chunks) })
      },
      onError(error) {
        cancel.onCancel(undefined)
        reject(error)
      },
    }
    // Cancelled before undici connects: settle now (onConnect then aborts the dispatch at once).
    cancel.onCancel(reject)
    getGlobalDispatcher().dispatch({ origin, path: `${pathname}${search}`, method, headers, body }, handler)
  })
}

/** The undici exchange (see above). */
export function defaultExchange(): Exchange | undefined {
  return exchange
}
