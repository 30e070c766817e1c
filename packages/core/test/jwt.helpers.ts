/**
 * Fixtures of the JWT verification tests: RSA key pairs made with jose, a token signer, a fake
 * clock, and a loopback JWKS server (127.0.0.1, port 0) that checks the Authorization header,
 * serves a key set per secret key and counts requests. No Clerk logic: each test scripts it.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose'
import { createJwtVerifier, type JwtVerifierOptions } from '../src/verify/jwt.js'

export const M2M_CAT = 'cl_B7d4PD333AAA'
export const SENDER = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'
export const RECEIVER = 'mch_2yReceiverAAAAAAAAAAAAAAAA'
export const OTHER = 'mch_2zOtherMachineBBBBBBBBBBBB'
/** 2026-03-01T00:00:00Z, a whole second. */
export const T0 = Date.UTC(2026, 2, 1)

export interface RsaKey {
  kid: string
  privateKey: CryptoKey
  publicKey: CryptoKey
  /** Public JWK as a JWKS publishes it (`kid`, `alg`, `use`). */
  jwk: JWK
  /** SPKI PEM of the public key. */
  pem: string
}

export async function rsaKey(kid: string, alg = 'RS256'): Promise<RsaKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
  return { kid, privateKey, publicKey, jwk, pem: await exportSPKI(publicKey) }
}

export function secretKey(): string {
  return `sk_test_${randomBytes(16).toString('hex')}`
}

/** Claims of a valid token issued at `T0`, valid for an hour, scoped to `RECEIVER` and `OTHER`. */
export function claims(overrides: Record<string, unknown> = {}): JWTPayload {
  const iat = T0 / 1000
  return {
    sub: SENDER,
    jti: `mt_${randomBytes(16).toString('hex')}`,
    iat,
    nbf: iat,
    exp: iat + 3600,
    scopes: `${RECEIVER} ${OTHER}`,
    ...overrides,
  }
}

/** Signs `payload`; the header defaults to Clerk's (`alg` RS256, the key's `kid`, `cat`). */
export function sign(
  key: RsaKey,
  payload: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  const protectedHeader = { alg: 'RS256', kid: key.kid, cat: M2M_CAT, ...header }
  return new SignJWT(payload).setProtectedHeader(protectedHeader).sign(key.privateKey)
}

export interface FakeClock {
  now: () => number
  advance(ms: number): void
  set(ms: number): void
}

export function fakeClock(start = T0): FakeClock {
  let current = start
  return {
    now: () => current,
    advance: (ms) => {
      current += ms
    },
    set: (ms) => {
      current = ms
    },
  }
}

/** What the server does with the next requests. */
export type JwksBehaviour =
  | { kind: 'serve' }
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'garbage' }

export interface JwksServer {
  /** Base API URL: the JWKS is at `${url}/v1/jwks`. */
  url: string
  /** Requests to `/v1/jwks` (any answer). */
  readonly requests: number
  /** The Authorization headers received, in order. */
  authorizations: string[]
  /** Publishes `keys` to callers presenting `secret`. */
  publish(secret: string, keys: JWK[]): void
  behave(behaviour: JwksBehaviour): void
  /** Delay before answering, in ms (a real delay; keep it small). */
  delayMs: number
  close(): Promise<void>
}

export async function startJwksServer(): Promise<JwksServer> {
  const sets = new Map<string, JWK[]>()
  let behaviour: JwksBehaviour = { kind: 'serve' }
  let requests = 0
  const answer = (authorization: string, res: ServerResponse) => {
    if (behaviour.kind === 'hang') return
    if (behaviour.kind === 'status') return send(res, behaviour.status, { errors: [] }, behaviour.headers)
    if (behaviour.kind === 'garbage') return send(res, 200, { not: 'a key set' })
    const keys = sets.get(authorization.replace(/^Bearer /, ''))
    if (keys === undefined) return send(res, 401, { errors: [{ code: 'authentication_invalid' }] })
    send(res, 200, { keys })
  }
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/v1/jwks') return send(res, 404, { errors: [] })
    requests += 1
    const authorization = req.headers.authorization ?? ''
    jwks.authorizations.push(authorization)
    if (jwks.delayMs > 0) setTimeout(() => answer(authorization, res), jwks.delayMs)
    else answer(authorization, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const jwks: JwksServer = {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests
    },
    authorizations: [],
    delayMs: 0,
    publish: (secret, keys) => void sets.set(secret, keys),
    behave: (next) => {
      behaviour = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return jwks
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

/** A verifier against `server` with test defaults: fake clock, 5 s skew, 2 s timeout. */
export function jwksVerifier(
  server: JwksServer,
  secret: string,
  clock: FakeClock,
  overrides: Partial<JwtVerifierOptions> = {},
) {
  return createJwtVerifier({
    apiUrl: server.url,
    secretKey: secret,
    fetch: globalThis.fetch,
    timeoutMs: 2000,
    clockSkewMs: 5000,
    now: clock.now,
    ...overrides,
  })
}

/** The rejection of `promise`, or a failure if it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error('expected a rejection, got a result')
}
