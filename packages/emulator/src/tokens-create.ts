import type { M2MToken } from '@m2m-auth/core'
import { type Handler, type RequestContext, requireMachine, type Services } from './context.js'
import { opaqueTokenSecret, tokenId } from './ids.js'
import type { MachineRecord, TokenRecord } from './state.js'
import { Params } from './validate.js'
import { tokenToWire } from './wire.js'

const CREATE_PARAMS = ['token_format', 'seconds_until_expiration', 'claims', 'min_remaining_ttl_seconds']
/** Claims the emulator sets itself in a JWT; custom claims may not override them. */
export const RESERVED_JWT_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'scopes']
/** Ten years: keeps expirations far inside the range of a JS date. */
export const MAX_TTL_SECONDS = 315_360_000
const MAX_CLAIMS_DEPTH = 32

interface CreateInput {
  format: 'opaque' | 'jwt'
  ttlSeconds: number
  claims: unknown
  minRemainingTtlSeconds: number | undefined
}

/** Nesting depth of a JSON value, counted without recursion (a 1 MiB body can nest deeply). */
function depthOf(value: unknown): number {
  let max = 0
  const stack: Array<[unknown, number]> = [[value, 1]]
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item
    if (typeof node !== 'object' || node === null) continue
    max = Math.max(max, depth)
    if (max > MAX_CLAIMS_DEPTH) return max
    for (const child of Object.values(node)) stack.push([child, depth + 1])
  }
  return max
}

function checkClaims(p: Params, claims: unknown, format: 'opaque' | 'jwt'): void {
  if (depthOf(claims) > MAX_CLAIMS_DEPTH) {
    p.problem({ param: 'claims', kind: 'value', detail: `must nest at most ${MAX_CLAIMS_DEPTH} levels deep` })
  } else if (format === 'jwt' && claims !== null) {
    if (typeof claims !== 'object' || Array.isArray(claims)) {
      p.problem({ param: 'claims', kind: 'invalid', detail: 'must be an object for JWT tokens' })
    } else {
      const taken = Object.keys(claims).filter((k) => RESERVED_JWT_CLAIMS.includes(k))
      if (taken.length > 0) {
        p.problem({
          param: 'claims',
          kind: 'value',
          detail: `must not set reserved claims (${taken.join(', ')})`,
        })
      }
    }
  }
}

function readCreateInput(ctx: RequestContext, machine: MachineRecord): CreateInput {
  const p = Params.body(ctx.json()).rejectUnknown(CREATE_PARAMS)
  const format = p.oneOf('token_format', ['opaque', 'jwt'] as const) ?? 'opaque'
  const seconds = p.number('seconds_until_expiration', { nullable: true, above: 0, max: MAX_TTL_SECONDS })
  const minTtl = p.number('min_remaining_ttl_seconds', { integer: true, min: 0 }) ?? undefined
  const claims = p.raw('claims') ?? null
  const ttlSeconds = seconds ?? machine.defaultTokenTtlSeconds
  if (minTtl !== undefined && minTtl >= ttlSeconds) {
    p.problem({
      param: 'min_remaining_ttl_seconds',
      kind: 'value',
      detail: 'must be less than the token lifetime',
    })
  }
  checkClaims(p, claims, format)
  p.done()
  return { format, ttlSeconds, claims, minRemainingTtlSeconds: minTtl }
}

/** JSON with sorted object keys, so equal claims compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )
}

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  const sorted = [...b].sort()
  return a.length === b.length && [...a].sort().every((s, i) => s === sorted[i])
}

function findReusable(
  { store, now }: Services,
  machine: MachineRecord,
  input: CreateInput,
  scopes: string[],
): TokenRecord | undefined {
  const wanted = canonical(input.claims)
  const minExpiration = now() + (input.minRemainingTtlSeconds ?? 0) * 1000
  const tokens = store.tokensOf(machine.id)
  for (let i = tokens.length - 1; i >= 0; i--) {
    const { token } = tokens[i]!
    if (token.revoked || token.expiration === null || token.expiration < minExpiration) continue
    if (store.isExpired(token.expiration) || !sameScopes(token.scopes, scopes)) continue
    if (canonical(token.claims) === wanted) return tokens[i]
  }
  return undefined
}

/** What minting needs, whoever asks (the create route, or a test through `mintToken`). */
export interface MintSpec {
  format: 'opaque' | 'jwt'
  ttlSeconds: number
  claims: unknown
}

/** Stores a new opaque token of `machine` scoped to `scopes`. */
export function mintOpaque(
  { store, now }: Services,
  machine: MachineRecord,
  input: MintSpec,
  scopes: string[],
): TokenRecord {
  const at = now()
  const record: TokenRecord = {
    token: {
      object: 'machine_to_machine_token',
      id: tokenId(),
      subject: machine.id,
      claims: input.claims,
      scopes,
      revoked: false,
      revocationReason: null,
      expiration: at + Math.round(input.ttlSeconds * 1000),
      lastUsedAt: null,
      createdAt: at,
      updatedAt: at,
    },
    secret: opaqueTokenSecret(),
  }
  store.addToken(record)
  return record
}

/** Signs a JWT-format token of `machine` scoped to `scopes` (not stored, as at Clerk). */
export async function mintJwt(
  { keys, now }: Services,
  machine: MachineRecord,
  input: MintSpec,
  scopes: string[],
): Promise<M2MToken> {
  const at = now()
  const iat = Math.floor(at / 1000)
  const exp = Math.ceil((at + input.ttlSeconds * 1000) / 1000)
  const id = tokenId()
  const custom = (input.claims ?? {}) as Record<string, unknown>
  const scopeClaim = scopes.length > 0 ? { scopes: scopes.join(' ') } : {}
  const jwt = await keys.sign({ ...custom, ...scopeClaim, sub: machine.id, jti: id, iat, nbf: iat, exp })
  return {
    object: 'machine_to_machine_token',
    id,
    subject: machine.id,
    claims: input.claims,
    scopes,
    token: jwt,
    revoked: false,
    revocationReason: null,
    expired: false,
    expiration: exp * 1000,
    lastUsedAt: null,
    createdAt: iat * 1000,
    updatedAt: iat * 1000,
  }
}

/** `POST /m2m_tokens`: Machine Secret Key only; scopes are the creating machine's grants. */
export const createToken: Handler = async (ctx, services) => {
  const machine = requireMachine(ctx, services.store)
  const input = readCreateInput(ctx, machine)
  const scopes = [...machine.scopes.keys()]
  if (input.format === 'jwt') {
    const jwt = await mintJwt(services, machine, input, scopes)
    return { status: 201, body: tokenToWire(jwt, false, jwt.token) }
  }
  const reused =
    input.minRemainingTtlSeconds === undefined ? undefined : findReusable(services, machine, input, scopes)
  const record = reused ?? mintOpaque(services, machine, input, scopes)
  return { status: 201, body: tokenToWire(record.token, false, record.secret) }
}
