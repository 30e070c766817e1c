/**
 * Which origins get the token: an exact origin match (scheme, host and port), checked against a set
 * built once. Shared by `createM2MFetch` and transport packages such as `@m2m-auth/undici`.
 */
import { M2MConfigError } from '../errors.js'

/** Answers whether a request's origin is one of the listed ones. */
export interface OriginMatcher {
  /** The listed origins, normalized (`https://api.example.com`, `http://127.0.0.1:8080`). */
  readonly origins: readonly string[]
  /** Whether `url` (a URL or an absolute URL string) has one of the listed origins. */
  matches(url: URL | string): boolean
}

/** How many distinct request origins a matcher remembers the normalized form of. */
const MAX_REMEMBERED = 1000

/**
 * Checks a list of origins (`scheme://host[:port]`, no path, query, fragment or credentials) and
 * builds the matcher. Throws `M2MConfigError` naming `option` for anything else, so that a typo
 * (`https://api.example.com/v1`) is found at startup instead of silently sending no token.
 *
 * @example
 * ```ts
 * const listed = createOriginMatcher(['https://billing.internal:8443'])
 * listed.matches('https://billing.internal:8443/invoices') // true
 * listed.matches('http://billing.internal:8443/invoices')  // false: another scheme is another origin
 * ```
 */
export function createOriginMatcher(origins: readonly string[], option = 'origins'): OriginMatcher {
  if (!Array.isArray(origins) || origins.length === 0) {
    throw new M2MConfigError(
      option,
      `${option} must be a non-empty array of origins such as https://api.example.com`,
    )
  }
  const set = new Set(origins.map((value, i) => checkOrigin(value, `${option}[${i}]`)))
  const remembered = new Map<string, boolean>()
  return {
    origins: [...set],
    matches(url: URL | string): boolean {
      if (typeof url !== 'string') return set.has(url.origin)
      const known = remembered.get(url)
      if (known !== undefined) return known
      const result = URL.canParse(url) && set.has(new URL(url).origin)
      if (remembered.size >= MAX_REMEMBERED) remembered.clear()
      remembered.set(url, result)
      return result
    },
  }
}

function checkOrigin(value: unknown, option: string): string {
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined
  const fail = (why: string): never => {
    throw new M2MConfigError(option, `${option} must be an origin such as https://api.example.com: ${why}`)
  }
  if (url === undefined) return fail('not an absolute URL')
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('only http and https are supported')
  if (url.username || url.password) fail('it must not carry credentials')
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    fail('it must have no path, query or fragment')
  }
  return url.origin
}
