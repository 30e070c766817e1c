/**
 * What a test of an API needs from the emulator, written once: mint a token for a machine, revoke
 * one, and the environment of the receiving API. The in-process handle (`startEmulator()`) calls
 * these directly; the admin routes expose them to `connectEmulator()` in test workers. Neither path
 * is faulted, so a test can mint tokens while the token routes fail.
 */
import type { M2MToken } from '@m2m-auth/core'
import type { Services } from './context.js'
import { machineRef } from './options.js'
import type { MachineRecord } from './state.js'
import { MAX_TTL_SECONDS, mintJwt, mintOpaque, RESERVED_JWT_CLAIMS } from './tokens-create.js'
import type { MintTokenInput } from './types.js'

const MINT_KEYS = ['from', 'to', 'format', 'expiresInSeconds', 'claims']

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function checkClaims(claims: unknown, format: 'opaque' | 'jwt'): void {
  if (format !== 'jwt' || claims === undefined || claims === null) return
  if (!isRecord(claims)) throw new TypeError('mintToken: claims must be an object for JWT tokens')
  const taken = Object.keys(claims).filter((k) => RESERVED_JWT_CLAIMS.includes(k))
  if (taken.length > 0) throw new TypeError(`mintToken: claims must not set ${taken.join(', ')}`)
}

function receivers(services: Services, to: unknown, sender: MachineRecord): string[] {
  if (to === undefined) return [...sender.scopes.keys()] // what Clerk would issue
  const refs = typeof to === 'string' ? [to] : to
  if (!Array.isArray(refs) || refs.some((r) => typeof r !== 'string')) {
    throw new TypeError('mintToken: to must be a machine name or id, or an array of them')
  }
  return [...new Set(refs.map((ref, i) => machineRef(services.store, ref as string, `mintToken: to[${i}]`)))]
}

/**
 * Mints a token as machine `from` would get it from `POST /m2m_tokens`, scoped to `to` when given
 * (else to `from`'s grants). Throws `TypeError`/`RangeError` naming the bad input.
 */
export async function mintTestToken(services: Services, input: MintTokenInput): Promise<M2MToken> {
  if (!isRecord(input))
    throw new TypeError('mintToken: expected { from, to?, format?, expiresInSeconds?, claims? }')
  const unknown = Object.keys(input).filter((k) => !MINT_KEYS.includes(k))
  if (unknown.length > 0) throw new TypeError(`mintToken: unknown option ${unknown.join(', ')}`)
  if (typeof input.from !== 'string') throw new TypeError('mintToken: from must be a machine name or id')
  const sender = services.store.machines.get(machineRef(services.store, input.from, 'mintToken: from'))!
  const format = input.format ?? 'opaque'
  if (format !== 'opaque' && format !== 'jwt')
    throw new TypeError("mintToken: format must be 'opaque' or 'jwt'")
  const ttl = input.expiresInSeconds ?? sender.defaultTokenTtlSeconds
  if (typeof ttl !== 'number' || !(ttl > 0) || ttl > MAX_TTL_SECONDS) {
    throw new RangeError(`mintToken: expiresInSeconds must be a number in (0, ${MAX_TTL_SECONDS}]`)
  }
  checkClaims(input.claims, format)
  const scopes = receivers(services, input.to, sender)
  const spec = { format, ttlSeconds: ttl, claims: input.claims ?? null }
  if (format === 'jwt') return mintJwt(services, sender, spec, scopes)
  const record = mintOpaque(services, sender, spec, scopes)
  return { ...record.token, scopes: [...record.token.scopes], token: record.secret, expired: false }
}

/** Revokes a stored (opaque) token by id, as the instance key would; keeps the first reason. */
export function revokeTestToken(services: Services, id: unknown, reason?: unknown): M2MToken {
  if (typeof id !== 'string') throw new TypeError('revokeToken: id must be a token id (mt_...)')
  if (reason !== undefined && reason !== null && typeof reason !== 'string') {
    throw new TypeError('revokeToken: reason must be a string')
  }
  const record = services.store.tokens.get(id)
  if (!record) {
    throw new TypeError('revokeToken: no stored token with that id (JWT-format tokens are never stored)')
  }
  const { token } = record
  if (!token.revoked) {
    token.revoked = true
    token.revocationReason = reason ?? null
    token.updatedAt = services.now()
  }
  return { ...token, scopes: [...token.scopes], expired: services.store.isExpired(token.expiration) }
}
