/**
 * Following redirects by hand (the inner fetch runs with `redirect: 'manual'`), so that the token is
 * decided per hop: set for listed origins only, and every credential header dropped when a hop
 * leaves the origin, as the Fetch standard does for `Authorization`.
 */

/** One request of a redirect chain. */
export interface Hop {
  url: URL
  method: string
  headers: Headers
  /** What is sent as the body; a stream can be sent once. */
  body: BodyInit | null
  /** The body can be sent again (none, or a string, buffer, form, blob or search params). */
  replayable: boolean
}

/** Statuses that redirect (RFC 9110 section 15.4) with a `Location` to follow. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

/** As many hops as the Fetch standard follows. */
export const MAX_REDIRECTS = 20

const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie']
const BODY_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
]

/** Whether `body` can be sent twice: anything but a stream (or an unknown kind of body). */
export function isReplayableBody(body: unknown): boolean {
  if (body === undefined || body === null || typeof body === 'string') return true
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body) || body instanceof URLSearchParams) return true
  if (typeof Blob !== 'undefined' && body instanceof Blob) return true
  return typeof FormData !== 'undefined' && body instanceof FormData
}

/**
 * The next hop after a redirect `status` to `location`: 301/302 turn a POST into a GET and 303 any
 * method but HEAD (dropping the body and its headers); 307/308 keep method and body, which needs a
 * replayable body. Throws `TypeError`, as fetch does, when the hop cannot be made.
 */
export function nextHop(hop: Hop, status: number, location: URL): Hop {
  const headers = new Headers(hop.headers)
  if (location.origin !== hop.url.origin) {
    for (const name of CREDENTIAL_HEADERS) headers.delete(name)
  }
  const toGet =
    ((status === 301 || status === 302) && hop.method === 'POST') || (status === 303 && hop.method !== 'HEAD')
  if (toGet) {
    for (const name of BODY_HEADERS) headers.delete(name)
    return { url: location, method: 'GET', headers, body: null, replayable: true }
  }
  if (hop.body !== null && !hop.replayable) {
    throw new TypeError(
      `cannot follow a ${status} redirect: the request body is a stream and was sent already`,
    )
  }
  return { ...hop, url: location, headers }
}
