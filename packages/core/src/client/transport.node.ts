/**
 * `#transport` on Node: the verify call goes through undici's `request` API, which skips what
 * `fetch` builds per call (Request/Response objects, Web streams, header guards) and costs a
 * fraction of its CPU (`pnpm bench`, client CPU per upstream verification). Selected by the
 * `imports` conditions of package.json, so no other runtime ever loads undici. It uses undici's
 * global dispatcher, which Node's own `fetch` shares (so `setGlobalDispatcher` applies to both).
 */
import { request } from 'undici'
import type { Exchange, WireResponse } from './exchange.js'

type Headers = Record<string, string | string[] | undefined>

function headerReader(headers: Headers): WireResponse['header'] {
  return (name) => {
    const value = headers[name]
    if (value === undefined) return null
    return typeof value === 'string' ? value : value.join(', ')
  }
}

/** undici's `request` as an {@link Exchange}. */
export function defaultExchange(): Exchange | undefined {
  return async ({ method, url, headers, body, signal }) => {
    const response = await request(url, { method, headers, body, signal })
    const text = await response.body.text()
    return { status: response.statusCode, header: headerReader(response.headers), text }
  }
}
