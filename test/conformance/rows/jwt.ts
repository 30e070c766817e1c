import { expect } from 'vitest'
import type { TestResponse } from '../../helpers/http.js'
import {
  craftingKey,
  craftJwt,
  emulatorSigningKey,
  M2M_CAT,
  m2mClaims,
  rsaKeyPair,
  scopedRoute,
} from '../../jwt/support/craft.js'
import type { ConformanceMachines, RowContext, RowGroup } from './types.js'

const CLAIMS = { team: 'billing', tier: 2, labels: ['a', 'b'] }

/** A 200 carrying the caller's verified JWT: subject, scopes, id and (if given) its custom claims. */
function expectJwtCaller(machine: keyof ConformanceMachines, claims?: Record<string, unknown> | null) {
  return (response: TestResponse, ctx: RowContext): void => {
    const m2m = (response.json as { m2m?: Record<string, unknown> } | undefined)?.m2m
    expect(m2m).toMatchObject({
      tokenType: 'm2m_token',
      format: 'jwt',
      subject: ctx.machines[machine].id,
      machineId: ctx.machines[machine].id,
    })
    expect(m2m?.scopes).toContain(ctx.machines.receiver.id)
    expect(m2m?.id).toMatch(/^mt_/)
    if (claims !== undefined) expect(m2m?.claims).toEqual(claims)
    expect(m2m, 'the verified token never carries the raw token').not.toHaveProperty('token')
  }
}

async function jwt(ctx: RowContext, from: keyof ConformanceMachines = 'sender'): Promise<string> {
  return `Bearer ${(await ctx.issue({ from, tokenFormat: 'jwt', claims: CLAIMS })).token}`
}

/** Claims of a valid token from `sender` to `receiver`. */
const claimsOf = (ctx: RowContext, overrides: Record<string, unknown> = {}) =>
  m2mClaims(ctx.machines.sender.id, ctx.machines.receiver.id, overrides)

/** Header claiming the emulator's current signing key (`kid`), as an attacker would copy it. */
async function emulatorHeader(ctx: RowContext, alg: string) {
  const { kid, pem } = await emulatorSigningKey(ctx.emulator.url, ctx.emulator.secretKey)
  return { header: { alg, kid, typ: 'JWT', cat: M2M_CAT }, pem }
}

/** Trust our own key (`jwtKey`, networkless); `apiUrl` is dead, so any network use shows as a 503. */
const trustCraftingKey = (ctx: RowContext) => ({ jwtKey: craftingKey().publicPem, apiUrl: ctx.stoppedApiUrl })

function crafted(header: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  return (ctx: RowContext) =>
    `Bearer ${craftJwt(header, claimsOf(ctx, overrides), { rsa: craftingKey().privateKey })}`
}

const RS256 = { alg: 'RS256', kid: 'crafted', typ: 'JWT', cat: M2M_CAT }

/**
 * JWT-format M2M tokens (RS256, `cat`, exp/nbf, scopes, JWKS or `jwtKey`) through every adapter,
 * with no JWT-specific code in any of them. The subjects' defaults verify with the instance key
 * (`sk_`, so the JWKS can be fetched) and `machineId` set to the receiver, keeping scoping enforced.
 */
export const jwtRows: RowGroup = {
  title: 'JWT-format tokens',
  rows: [
    {
      name: 'a valid JWT: 200 with the calling machine as subject and its custom claims',
      authorization: (ctx) => jwt(ctx),
      expect: { status: 200, check: expectJwtCaller('sender', CLAIMS) },
    },
    {
      name: 'a valid JWT lacking the required scope: 403 insufficient_scope naming it',
      path: '/scoped',
      authorization: (ctx) => jwt(ctx),
      expect: { status: 403, error: 'insufficient_scope', scope: (ctx) => ctx.machines.admin.id },
    },
    {
      name: 'a valid JWT with the required scope: 200',
      path: '/scoped',
      authorization: (ctx) => jwt(ctx, 'privileged'),
      expect: { status: 200, check: expectJwtCaller('privileged', CLAIMS) },
    },
    {
      name: 'optional mode with a valid JWT: 200 with the caller',
      path: '/optional',
      authorization: (ctx) => jwt(ctx),
      expect: { status: 200, check: expectJwtCaller('sender', CLAIMS) },
    },
    {
      name: 'an expired JWT (exp a minute ago): 401 invalid_token',
      authorization: async (ctx) => {
        ctx.advanceEmulatorClock(-120_000) // issued two minutes ago, valid for one
        return `Bearer ${(await ctx.issue({ tokenFormat: 'jwt', secondsUntilExpiration: 60 })).token}`
      },
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: 'a JWT not valid yet (nbf two minutes ahead): 401 invalid_token',
      authorization: async (ctx) => {
        ctx.advanceEmulatorClock(120_000)
        return jwt(ctx)
      },
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: 'a JWT not scoped to this machine (machineId): 401 invalid_token',
      verifier: (ctx) => ({ machineId: ctx.machines.stranger.id }),
      authorization: (ctx) => jwt(ctx),
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: 'a JWT from a machine scoped to no machine: 401 invalid_token',
      authorization: (ctx) => jwt(ctx, 'stranger'),
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: 'a JWT whose scopes were widened after signing: 401 invalid_token, not 200',
      path: '/scoped',
      authorization: async (ctx) => {
        const [header, payload, signature] = (await ctx.issue({ tokenFormat: 'jwt' })).token.split('.')
        const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString())
        claims.scopes = `${ctx.machines.receiver.id} ${ctx.machines.admin.id}`
        return `Bearer ${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`
      },
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: "a JWT signed by another RSA key carrying the emulator's kid: 401 invalid_token",
      authorization: async (ctx) => {
        const { header } = await emulatorHeader(ctx, 'RS256')
        return `Bearer ${craftJwt(header, claimsOf(ctx), { rsa: rsaKeyPair().privateKey })}`
      },
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: 'alg none with an empty signature: 401 invalid_token (not even classified as a JWT)',
      authorization: async (ctx) => {
        const { header } = await emulatorHeader(ctx, 'none')
        return `Bearer ${craftJwt(header, claimsOf(ctx), 'none')}`
      },
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: 'alg none with a signature part: 401 invalid_token',
      authorization: async (ctx) => {
        const { header } = await emulatorHeader(ctx, 'none')
        return `Bearer ${craftJwt(header, claimsOf(ctx), 'none')}c2lnbmF0dXJl`
      },
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: "HS256 keyed with the emulator's published public key (PEM): 401 invalid_token",
      authorization: async (ctx) => {
        const { header, pem } = await emulatorHeader(ctx, 'HS256')
        return `Bearer ${craftJwt(header, claimsOf(ctx), { hmac: pem })}`
      },
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: 'jwtKey: a token signed by the configured key: 200 with its claims, no network',
      verifier: trustCraftingKey,
      authorization: crafted(RS256, { team: 'billing' }),
      expect: { status: 200, check: expectJwtCaller('sender', { team: 'billing' }) },
    },
    {
      name: 'jwtKey: a JWT with no cat header: 200 (absent cat is accepted)',
      verifier: trustCraftingKey,
      authorization: crafted({ alg: 'RS256', typ: 'JWT' }),
      expect: { status: 200, check: expectJwtCaller('sender', null) },
    },
    {
      name: 'jwtKey: a JWT naming the receiver in aud (no scopes claim): 200',
      verifier: trustCraftingKey,
      authorization: (ctx) => crafted(RS256, { scopes: undefined, aud: ctx.machines.receiver.id })(ctx),
      expect: { status: 200, check: expectJwtCaller('sender', null) },
    },
    {
      name: 'jwtKey: a correctly signed JWT with another cat (a session token): 401 invalid_token',
      verifier: trustCraftingKey,
      authorization: crafted({ ...RS256, cat: 'cl_B7d4PD111AAA' }),
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: 'jwtKey: HS256 keyed with the configured PEM itself: 401 invalid_token',
      verifier: trustCraftingKey,
      authorization: (ctx) => {
        const header = { ...RS256, alg: 'HS256' }
        return `Bearer ${craftJwt(header, claimsOf(ctx), { hmac: craftingKey().publicPem })}`
      },
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: 'a Machine Secret Key (ak_) without jwtKey cannot fetch the JWKS: JWTs refused, 401',
      verifier: (ctx) => ({ secretKey: ctx.machines.receiver.secretKey, machineId: undefined }),
      authorization: (ctx) => jwt(ctx),
      expect: { status: 401, error: 'invalid_token' },
    },
    ...jwksOutageRows(),
  ],
}

/** No usable key because the JWKS cannot be fetched: 503 (or 500 for our own key), never 401. */
function jwksOutageRows(): RowGroup['rows'] {
  // Each row gets an API URL its verifier never saw, so no key set fetched earlier can answer.
  const fresh = (ctx: RowContext) => scopedRoute(ctx.emulator.url)
  const jwksFault = (faults: Parameters<RowContext['setFaults']>[0]) => async (ctx: RowContext) => {
    const header = await jwt(ctx)
    ctx.setFaults({ ...faults, routes: ['jwks'] })
    return header
  }
  return [
    {
      name: 'JWKS: a key set first fetched through this route: 200 (the rows below are its faults)',
      verifier: fresh,
      authorization: (ctx) => jwt(ctx),
      expect: { status: 200, check: expectJwtCaller('sender', CLAIMS) },
    },
    {
      name: 'JWKS answers 503 and no key is held: 503 temporarily_unavailable, not 401',
      verifier: fresh,
      authorization: jwksFault({ errorRate: 1, errorStatus: 503 }),
      expect: { status: 503, error: 'temporarily_unavailable' },
    },
    {
      name: "JWKS rate limited (429): 503 passing on the service's Retry-After",
      verifier: fresh,
      authorization: jwksFault({ rateLimitRate: 1, retryAfterSeconds: 7 }),
      expect: { status: 503, error: 'temporarily_unavailable', retryAfter: '7' },
    },
    {
      name: 'JWKS does not answer in time: 503 temporarily_unavailable',
      verifier: (ctx) => ({ ...fresh(ctx), timeoutMs: 200, retry: false }),
      authorization: jwksFault({ hangRate: 1 }),
      expect: { status: 503, error: 'temporarily_unavailable' },
    },
    {
      name: 'JWKS unreachable (token service stopped): 503 temporarily_unavailable',
      verifier: (ctx) => ({ apiUrl: ctx.stoppedApiUrl }),
      authorization: (ctx) => jwt(ctx),
      expect: { status: 503, error: 'temporarily_unavailable' },
    },
    {
      name: 'JWKS rejects our secret key: 500 server_error',
      verifier: (ctx) => ({ ...fresh(ctx), secretKey: 'sk_test_notakeyofthisinstance0000000000' }),
      authorization: (ctx) => jwt(ctx),
      expect: { status: 500, error: 'server_error' },
    },
  ]
}
