/**
 * undici request headers come in four shapes (an object, a flat `[name, value, ...]` array, an array
 * of pairs, any iterable of pairs). The interceptor sets `authorization` on a copy, in the flat
 * shape every undici dispatcher accepts, replacing whatever the caller put there.
 */
import type { Dispatcher } from 'undici'

type HeaderValue = string | string[] | number | Buffer | undefined | null

/** A flat copy of `headers` without any `authorization`, then `authorization: <value>`. */
export function withAuthorization(headers: Dispatcher.DispatchOptions['headers'], value: string): string[] {
  const out: string[] = []
  const push = (name: unknown, v: HeaderValue): void => {
    const key = text(name)
    if (v === undefined || v === null || key.toLowerCase() === 'authorization') return
    if (Array.isArray(v)) for (const item of v) out.push(key, text(item))
    else out.push(key, text(v))
  }
  if (headers === undefined || headers === null) {
    // nothing to copy
  } else if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const [name, v] of headers as unknown as Array<[string, HeaderValue]>) push(name, v)
    } else {
      for (let i = 0; i + 1 < headers.length; i += 2) push(headers[i], headers[i + 1] as HeaderValue)
    }
  } else if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [name, v] of headers as Iterable<[string, HeaderValue]>) push(name, v)
  } else {
    for (const [name, v] of Object.entries(headers)) push(name, v as HeaderValue)
  }
  out.push('authorization', value)
  return out
}

function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('latin1') : String(value)
}

/** Whether a dispatch body can be sent again: none, a string or bytes (not a stream or a form). */
export function isReplayableBody(body: Dispatcher.DispatchOptions['body']): boolean {
  return body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array
}
