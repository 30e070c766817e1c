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
  for (const [name, v] of entries(headers)) {
    const key = text(name)
    if (v === undefined || v === null || key.toLowerCase() === 'authorization') continue
    if (Array.isArray(v)) for (const item of v) out.push(key, text(item))
    else out.push(key, text(v))
  }
  out.push('authorization', value)
  return out
}

/** The `[name, value]` pairs of any of undici's header shapes. */
function* entries(headers: Dispatcher.DispatchOptions['headers']): Generator<[unknown, HeaderValue]> {
  if (headers === undefined || headers === null) return
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      yield* headers as unknown as Array<[string, HeaderValue]>
    } else {
      for (let i = 0; i + 1 < headers.length; i += 2) yield [headers[i], headers[i + 1] as HeaderValue]
    }
  } else if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    yield* headers as Iterable<[string, HeaderValue]>
  } else {
    yield* Object.entries(headers) as Array<[string, HeaderValue]>
  }
}

function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('latin1') : String(value)
}

/** Whether a dispatch body can be sent again: none, a string or bytes (not a stream or a form). */
export function isReplayableBody(body: Dispatcher.DispatchOptions['body']): boolean {
  return body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array
}
