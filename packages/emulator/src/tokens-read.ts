import { type Handler, type RequestContext, requireCaller, type Services } from './context.js'
import { notFound, wrongKeyKind } from './errors.js'
import { MACHINE_ID_PATTERN, TOKEN_ID_PATTERN } from './ids.js'
import type { Caller } from './state.js'
import { Params } from './validate.js'
import { tokenToWire } from './wire.js'

const TOKEN_NOT_FOUND =
  'The M2M token could not be found, or it is revoked, expired or not scoped to this machine.'

/** `GET /m2m_tokens`: a machine lists its own tokens; the instance key lists anyone's. Opaque only. */
export const listTokens: Handler = (ctx, { store }) => {
  const caller = requireCaller(ctx, store)
  const p = Params.query(ctx.query)
  const subject = p.string('subject', { required: true, pattern: MACHINE_ID_PATTERN })
  const revoked = p.queryBoolean('revoked') ?? false
  const expired = p.queryBoolean('expired') ?? false
  const limit = p.queryInteger('limit', { min: 1, max: 100 }) ?? 10
  const offset = p.queryInteger('offset', { min: 0 }) ?? 0
  p.done() // unknown query parameters are ignored, as Clerk ignores them
  if (caller.kind === 'machine' && caller.machine.id !== subject) {
    throw wrongKeyKind('A Machine Secret Key can only list the tokens of its own machine.')
  }
  if (!store.machines.has(subject!)) throw notFound('No machine with that id.')
  const matching = store
    .tokensOf(subject!)
    .filter(({ token }) => (revoked || !token.revoked) && (expired || !store.isExpired(token.expiration)))
    .reverse() // newest first, as Clerk lists them
  const page = matching.slice(offset, offset + limit)
  return {
    status: 200,
    body: {
      m2m_tokens: page.map(({ token }) => tokenToWire(token, store.isExpired(token.expiration))),
      total_count: matching.length,
    },
  }
}

/** `POST /m2m_tokens/{id}/revoke`: a machine revokes its own tokens; the instance key any. */
export const revokeToken: Handler = (ctx, { store, now }) => {
  const caller = requireCaller(ctx, store)
  const id = ctx.params.id ?? ''
  const p = Params.body(ctx.json()).rejectUnknown(['revocation_reason'])
  const reason = p.string('revocation_reason', { nullable: true })
  if (!TOKEN_ID_PATTERN.test(id))
    p.problem({ param: 'm2m_token_id', kind: 'invalid', detail: 'has an invalid format' })
  p.done()
  const record = store.tokens.get(id)
  if (!record || (caller.kind === 'machine' && record.token.subject !== caller.machine.id)) {
    throw notFound('The M2M token could not be found.')
  }
  const { token } = record
  // Revoking twice answers the revoked token again and keeps the first reason.
  if (!token.revoked) {
    token.revoked = true
    token.revocationReason = reason ?? null
    token.updatedAt = now()
  }
  return { status: 200, body: tokenToWire(token, store.isExpired(token.expiration)) }
}

function inScope(caller: Caller, scopes: readonly string[]): boolean {
  return caller.kind === 'instance' || scopes.includes(caller.machine.id)
}

async function verifyJwt(
  token: string,
  caller: Caller,
  { keys, now }: Services,
): Promise<Record<string, unknown>> {
  const payload = await keys.verify(token, now())
  const { sub, jti, iat, exp, nbf: _nbf, scopes: scopeClaim, ...custom } = payload ?? {}
  if (typeof sub !== 'string' || !MACHINE_ID_PATTERN.test(sub) || typeof jti !== 'string')
    throw notFound(TOKEN_NOT_FOUND)
  const scopes = typeof scopeClaim === 'string' && scopeClaim !== '' ? scopeClaim.split(' ') : []
  if (!TOKEN_ID_PATTERN.test(jti) || !inScope(caller, scopes)) throw notFound(TOKEN_NOT_FOUND)
  const issuedAt = typeof iat === 'number' ? iat * 1000 : now()
  const fields = {
    id: jti,
    subject: sub,
    claims: Object.keys(custom).length > 0 ? custom : null,
    scopes,
    revoked: false,
    revocationReason: null,
    expiration: typeof exp === 'number' ? exp * 1000 : null,
    lastUsedAt: null,
    createdAt: issuedAt,
    updatedAt: issuedAt,
  }
  return tokenToWire({ object: 'machine_to_machine_token', ...fields }, false)
}

function verifyOpaque(token: string, caller: Caller, { store, now }: Services): Record<string, unknown> {
  const record = store.findTokenBySecret(token)
  if (!record) throw notFound(TOKEN_NOT_FOUND)
  const { token: fields } = record
  if (fields.revoked || store.isExpired(fields.expiration) || !inScope(caller, fields.scopes)) {
    throw notFound(TOKEN_NOT_FOUND)
  }
  fields.lastUsedAt = now()
  return tokenToWire(fields, false)
}

function readVerifyInput(ctx: RequestContext): string {
  const p = Params.body(ctx.json()).rejectUnknown(['token'])
  const token = p.string('token', { required: true, minLength: 1 })
  p.done()
  return token!
}

/**
 * `POST /m2m_tokens/verify`, opaque and JWT tokens. With a Machine Secret Key the machine must be
 * in the token's scopes; with the instance key any token of the instance verifies. Unknown,
 * revoked, expired and out-of-scope tokens are all 404.
 */
export const verifyToken: Handler = async (ctx, services) => {
  const caller = requireCaller(ctx, services.store)
  const token = readVerifyInput(ctx)
  const isJwt = token.split('.').length === 3
  const body = isJwt ? await verifyJwt(token, caller, services) : verifyOpaque(token, caller, services)
  return { status: 200, body }
}
