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
 * The custom claims your machines put into their tokens: every claim is `unknown` until you augment
 * this interface, once, in your app. Every adapter types its token (`req.m2m`, `request.m2m`,
 * `c.var.m2m`) with it, so one augmentation types them all.
 *
 * @example
 * ```ts
 * declare module '@m2m-auth/core' {
 *   interface M2MClaims { tenant: string }
 * }
 * // req.m2m?.claims?.tenant is a string (Express, Fastify and Hono alike)
 * ```
 */
export interface M2MClaims {
  [claim: string]: unknown
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
export interface VerifiedM2MToken<TClaims = M2MClaims> {
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
