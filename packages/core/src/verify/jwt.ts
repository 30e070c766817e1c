import { compactVerify, decodeProtectedHeader, errors, importSPKI, type JWSHeaderParameters } from 'jose'
import { M2MConfigError } from '../errors.js'
import type { BreakerPolicy } from '../guard/breaker.js'
import { InvalidTokenError, ServerConfigError } from '../http/errors.js'
import type { Clock, FetchLike, VerifiedM2MToken } from '../types.js'
import { createKeySetSource, jwksUrl, type KeyResolver, type KeySetSourceOptions } from './jwks.js'

/** Options of {@link createJwtVerifier}. `createVerifier` fills them from its own options. */
export interface JwtVerifierOptions {
  /** Clerk Backend API base URL; the key set is read from `${apiUrl}/v1/jwks`. */
  apiUrl: string
  /** The instance Secret Key (`sk_`): the only key allowed to fetch the JWKS. Never logged. */
  secretKey: string
  /** PEM (SPKI) public key. When set, verification is fully networkless and `kid` is ignored. */
  jwtKey?: string
  /** The `fetch` used for the JWKS. */
  fetch: FetchLike
  /** Bound on each JWKS fetch, body included. */
  timeoutMs: number
  /** Tolerance applied to `exp`, `nbf` and `iat`. */
  clockSkewMs: number
  /** Milliseconds since the epoch. */
  now: Clock
  /** The receiving machine (`mch_...`): when set, it must be among the token's scopes. */
  machineId?: string
  /**
   * Age after which the cached key set is refetched. If that refetch fails transiently, the old
   * keys stay in use (stale-while-error, key set only) and the next attempt waits `cooldownMs`.
   * @default 600_000
   */
  maxAgeMs?: number
  /**
   * Minimum time between two refetches triggered by a `kid` missing from the key set.
   * @default 30_000
   */
  cooldownMs?: number
  /**
   * Whether concurrent first uses share one JWKS fetch. `createVerifier` passes its `singleFlight`
   * (off on Cloudflare Workers, where a request may not await another request's I/O).
   * @default true
   */
  shareInFlight?: boolean
  /** The JWKS fetch's breaker, or `false`. `createVerifier` passes its `breaker`. @default DEFAULT_BREAKER */
  breaker?: BreakerPolicy | false
}

/** The algorithms of Clerk's M2M JWTs. `none`, HMAC, EC and PSS are refused before any key lookup. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512']
/** The `cat` header of Clerk M2M JWTs (an absent `cat` is accepted, another value is not). */
const M2M_CATEGORY = 'cl_B7d4PD333AAA'
/** Top-level claims that are not the creator's custom claims. */
const REGISTERED_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'scopes'])

/**
 * Builds the local verifier of JWT-format M2M tokens. Throws `M2MConfigError` for bad options;
 * the returned function throws only `AuthError`s: `InvalidTokenError` for a bad token,
 * `TokenServiceUnavailableError` when no key is usable because the JWKS cannot be fetched,
 * `ServerConfigError` when the JWKS endpoint rejects our secret key.
 *
 * @example
 * ```ts
 * const verifyJwt = createJwtVerifier({ apiUrl, secretKey, fetch, timeoutMs: 5000,
 *   clockSkewMs: 5000, now: Date.now, machineId: 'mch_...' })
 * const token = await verifyJwt(jwt) // token.format === 'jwt'
 * ```
 */
export function createJwtVerifier(opts: JwtVerifierOptions): (token: string) => Promise<VerifiedM2MToken> {
  assertJwtKeyConfig(opts)
  checkDuration('timeoutMs', opts.timeoutMs, 1)
  checkDuration('clockSkewMs', opts.clockSkewMs, 0)
  // A blank jwtKey (an empty environment variable) means "not configured", as in assertJwtKeyConfig.
  const jwtKey = opts.jwtKey?.trim() ? opts.jwtKey : undefined
  const resolveKeys =
    jwtKey !== undefined ? createPemKeySource(jwtKey) : createKeySetSource(keySetOptions(opts))
  return async function verifyJwt(token) {
    const header = readHeader(token)
    const payload = await verifySignature(token, header, resolveKeys)
    return toVerifiedToken(payload, opts)
  }
}

/**
 * Throws `M2MConfigError` when JWT verification is enabled but no key source is available: the
 * JWKS needs the instance Secret Key (`sk_`), a Machine Secret Key (`ak_`) cannot fetch it.
 * Call it where options are resolved, so the mistake shows at startup rather than per request.
 *
 * @example
 * ```ts
 * if (options.jwt !== false) assertJwtKeyConfig({ secretKey, jwtKey: options.jwtKey })
 * ```
 */
export function assertJwtKeyConfig(opts: { secretKey: string; jwtKey?: string }): void {
  if (opts.jwtKey !== undefined && opts.jwtKey.trim() !== '') return
  if (typeof opts.secretKey === 'string' && opts.secretKey.startsWith('sk_')) return
  throw new M2MConfigError(
    'jwtKey',
    'JWT-format M2M tokens need a verification key: a Machine Secret Key (ak_) cannot fetch the JWKS. ' +
      'Set the `jwtKey` option (PEM public key, networkless) or the `secretKey` option to the instance ' +
      'Secret Key (sk_) (with environment variables: set CLERK_SECRET_KEY and leave ' +
      'CLERK_MACHINE_SECRET_KEY unset, since the machine key takes precedence).',
  )
}

function keySetOptions(opts: JwtVerifierOptions): KeySetSourceOptions {
  if (!URL.canParse(jwksUrl(opts.apiUrl))) {
    throw new M2MConfigError('apiUrl', '`apiUrl` must be an absolute URL, e.g. https://api.clerk.com')
  }
  return {
    apiUrl: opts.apiUrl,
    secretKey: opts.secretKey,
    fetch: opts.fetch,
    timeoutMs: opts.timeoutMs,
    now: opts.now,
    maxAgeMs: checkDuration('maxAgeMs', opts.maxAgeMs ?? 600_000, 1),
    cooldownMs: checkDuration('cooldownMs', opts.cooldownMs ?? 30_000, 0),
    shareInFlight: opts.shareInFlight !== false,
    breaker: opts.breaker,
  }
}

function checkDuration(option: string, value: number, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new M2MConfigError(option, `\`${option}\` must be a finite number of milliseconds >= ${min}`)
  }
  return value
}

/** Imports the configured PEM once per algorithm (WebCrypto binds the hash to the key). */
function createPemKeySource(jwtKey: string): KeyResolver {
  // Environment variables often carry PEMs with literal `\n` sequences.
  const pem = jwtKey.replace(/\\n/g, '\n').trim()
  if (!pem.startsWith('-----BEGIN PUBLIC KEY-----')) {
    throw new M2MConfigError('jwtKey', '`jwtKey` must be a PEM (SPKI) public key: -----BEGIN PUBLIC KEY-----')
  }
  const imported = new Map<string, Promise<CryptoKey>>()
  return async function resolvePemKey(header) {
    const alg = header.alg as string // checked against ALGORITHMS by readHeader
    let key = imported.get(alg)
    if (key === undefined) {
      key = importSPKI(pem, alg)
      imported.set(alg, key)
    }
    try {
      return [await key]
    } catch (cause) {
      imported.delete(alg)
      throw new ServerConfigError('The configured `jwtKey` could not be imported as an RSA public key', cause)
    }
  }
}

/** Header checks that need no key: cheap rejections of the wrong algorithm or token category. */
function readHeader(token: string): JWSHeaderParameters {
  let header: JWSHeaderParameters
  try {
    header = decodeProtectedHeader(token) as JWSHeaderParameters
  } catch {
    throw new InvalidTokenError('malformed token')
  }
  if (typeof header.alg !== 'string' || !ALGORITHMS.includes(header.alg)) {
    throw new InvalidTokenError('unsupported algorithm')
  }
  if (header.cat !== undefined && header.cat !== M2M_CATEGORY) {
    throw new InvalidTokenError('token type not accepted')
  }
  // Clerk tokens use neither; refusing them rules out unencoded (b64: false) payloads.
  if (header.crit !== undefined || header.b64 !== undefined) throw new InvalidTokenError('malformed token')
  return header
}

async function verifySignature(token: string, header: JWSHeaderParameters, resolveKeys: KeyResolver) {
  const keys = await resolveKeys(header)
  // More than one key only when the set publishes several keys with this kid; at most a handful.
  for (const key of keys) {
    try {
      return (await compactVerify(token, key, { algorithms: ALGORITHMS })).payload
    } catch (error) {
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) throw joseToAuthError(error)
    }
  }
  throw new InvalidTokenError('invalid signature')
}

function joseToAuthError(error: unknown): InvalidTokenError {
  if (error instanceof errors.JWSInvalid) return new InvalidTokenError('malformed token', error)
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new InvalidTokenError('unsupported algorithm', error)
  }
  return new InvalidTokenError('token could not be verified', error)
}

type Payload = Record<string, unknown>

function toVerifiedToken(bytes: Uint8Array, opts: JwtVerifierOptions): VerifiedM2MToken {
  const payload = parsePayload(bytes)
  const { sub, jti } = payload
  if (typeof sub !== 'string' || !sub.startsWith('mch_'))
    throw new InvalidTokenError('token subject is not a machine')
  if (typeof jti !== 'string' || jti === '') throw new InvalidTokenError('token has no id')
  const times = checkTimes(payload, opts.now(), opts.clockSkewMs)
  const scopes = readScopes(payload)
  if (opts.machineId !== undefined && !scopes.includes(opts.machineId)) {
    throw new InvalidTokenError('token not scoped to this machine')
  }
  const custom = Object.entries(payload).filter(([name]) => !REGISTERED_CLAIMS.has(name))
  return {
    tokenType: 'm2m_token',
    format: 'jwt',
    id: jti,
    subject: sub,
    machineId: sub,
    scopes,
    // fromEntries defines own properties, so a `__proto__` claim stays a plain claim.
    claims: custom.length > 0 ? Object.fromEntries(custom) : null,
    ...times,
  }
}

function parsePayload(bytes: Uint8Array): Payload {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    throw new InvalidTokenError('malformed token')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidTokenError('malformed token')
  }
  return value as Payload
}

/** `exp` and `nbf` are optional, `iat` is required (it is `createdAt`); all in seconds. */
function checkTimes(payload: Payload, nowMs: number, skewMs: number) {
  const { exp, nbf, iat } = payload
  if (!isSeconds(iat)) throw new InvalidTokenError('token has no valid issue time')
  if (exp !== undefined && !isSeconds(exp)) throw new InvalidTokenError('malformed expiration')
  if (nbf !== undefined && !isSeconds(nbf)) throw new InvalidTokenError('malformed not-before time')
  if (exp !== undefined && exp * 1000 <= nowMs - skewMs) throw new InvalidTokenError('token expired')
  if (nbf !== undefined && nbf * 1000 > nowMs + skewMs) throw new InvalidTokenError('token not yet valid')
  if (iat * 1000 > nowMs + skewMs) throw new InvalidTokenError('token issued in the future')
  return { expiration: exp === undefined ? null : exp * 1000, createdAt: iat * 1000 }
}

function isSeconds(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function readScopes(payload: Payload): string[] {
  const value = payload.scopes !== undefined ? payload.scopes : payload.aud
  if (value === undefined) return []
  if (typeof value === 'string') {
    // `scopes` is space-separated; `aud` as a string is one audience.
    return payload.scopes !== undefined ? value.split(' ').filter((scope) => scope !== '') : [value]
  }
  if (Array.isArray(value) && value.every((scope) => typeof scope === 'string')) return [...value]
  throw new InvalidTokenError('malformed scopes claim')
}
