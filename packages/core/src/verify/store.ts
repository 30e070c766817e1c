/**
 * A user-supplied `CacheStore` (e.g. Redis) behind the verifier: keys derived from digests only, and
 * store failures turned into misses, so that an unhealthy store never turns into a failed request.
 */
import type { CachedEntry, CacheStore } from './cache.js'

/** Lower-case hex SHA-256 of `text` (UTF-8), via WebCrypto. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  let hex = ''
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0')
  return hex
}

/** Everything that changes a verification's answer, hence scopes a shared store's keys. */
export interface CacheScope {
  apiUrl: string
  secretKey: string
  machineId: string | undefined
  jwtKey: string | undefined
}

/**
 * The scope digest of store keys: hashes the API URL, a digest of the secret key, the machine id
 * and a digest of the JWT key, so two verifiers that could answer differently never share entries
 * and no key material leaves the process.
 */
export async function scopeDigest(scope: CacheScope): Promise<string> {
  const keyDigest = await sha256Hex(scope.secretKey)
  const jwtKeyDigest = scope.jwtKey === undefined ? '' : await sha256Hex(scope.jwtKey)
  return sha256Hex(`${scope.apiUrl}\n${keyDigest}\n${scope.machineId ?? ''}\n${jwtKeyDigest}`)
}

/** The verifier's view of a shared store: addressed by token, keyed by digest, never throwing. */
export interface SharedCache {
  get(token: string): Promise<CachedEntry | undefined>
  set(token: string, entry: CachedEntry, now: number): Promise<void>
  delete(token: string): Promise<void>
}

/** Wraps `store`; its keys are `m2m:v1:<scope digest>:<sha256(token) hex>`. */
export function createSharedCache(store: CacheStore, scope: CacheScope): SharedCache {
  let scopeHex: Promise<string> | undefined
  const keyOf = async (token: string): Promise<string> => {
    scopeHex ??= scopeDigest(scope)
    return `m2m:v1:${await scopeHex}:${await sha256Hex(token)}`
  }
  return {
    async get(token) {
      try {
        const found = await store.get(await keyOf(token))
        return isCachedEntry(found) ? found : undefined
      } catch {
        return undefined // an unreachable store is a miss, not an outage
      }
    },
    async set(token, entry, now) {
      try {
        await store.set(await keyOf(token), entry, Math.max(1, entry.staleUntil - now))
      } catch {
        // Not caching costs one more upstream call later; failing the request would cost more.
      }
    },
    async delete(token) {
      // A failed delete must be visible to the caller of invalidate(): let it reject.
      await store.delete(await keyOf(token))
    },
  }
}

/** Entries come back from outside the process (JSON in Redis): trust only the expected shape. */
function isCachedEntry(value: unknown): value is CachedEntry {
  if (typeof value !== 'object' || value === null) return false
  const entry = value as Partial<CachedEntry>
  const token = entry.token
  return (
    typeof entry.freshUntil === 'number' &&
    typeof entry.staleUntil === 'number' &&
    typeof token === 'object' &&
    token !== null &&
    token.tokenType === 'm2m_token' &&
    typeof token.subject === 'string' &&
    Array.isArray(token.scopes)
  )
}
