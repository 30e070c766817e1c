/**
 * Shared types of @m2m-auth/core. camelCase here; snake_case exists only on the wire (client/).
 */

/** One item of Clerk's `errors[]` array. */
export interface ClerkErrorItem {
  message: string
  longMessage?: string
  code: string
  meta?: Record<string, unknown>
}

/** Clerk's `machine_to_machine_token` object, camelCased. Timestamps are milliseconds since the epoch. */
export interface M2MToken {
  object: 'machine_to_machine_token'
  /** `mt_` + 32 hex characters. */
  id: string
  /** The sending machine (`mch_...`). */
  subject: string
  claims: unknown
  /** Machines (`mch_...`) this token may be presented to. */
  scopes: string[]
  /** Present only on the answer to create. */
  token?: string
  revoked: boolean
  revocationReason: string | null
  expired: boolean
  /** Milliseconds since the epoch, or `null` for a token that never expires. */
  expiration: number | null
  lastUsedAt: number | null
  createdAt: number
  updatedAt: number
}

/**
 * What a successful verification yields, for both token formats. Never contains the raw token.
 *
 * @example
 * ```ts
 * const t = await verifier.verify(token)
 * t.subject // 'mch_...' the calling machine
 * ```
 */
export interface VerifiedM2MToken<TClaims = Record<string, unknown>> {
  tokenType: 'm2m_token'
  format: 'opaque' | 'jwt'
  /** Token id (`mt_...` for opaque tokens, the `jti` claim for JWTs). */
  id: string
  /** The sending machine (`mch_...`). */
  subject: string
  /** Same as `subject`: the id of the machine that sent the request. */
  machineId: string
  /** Machines (`mch_...`) this token may be presented to. */
  scopes: string[]
  /** Custom claims (registered JWT claims removed), or `null`. */
  claims: TClaims | null
  /** Milliseconds since the epoch, or `null` for a token that never expires. */
  expiration: number | null
  /** Milliseconds since the epoch. */
  createdAt: number
}

/** A clock: milliseconds since the epoch. */
export type Clock = () => number

/** The `fetch` signature we depend on (Web standard). */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>
