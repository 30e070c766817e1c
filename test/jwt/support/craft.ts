/**
 * Hand-made JWTs for the JWT conformance rows and integration tests: compact JWS built byte by byte
 * with `node:crypto` (no code of ours, and no JWT library that might refuse to build a bad token),
 * plus the emulator's published keys read straight from its `/v1/jwks` route.
 */
import { createHmac, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto'
import { exportSPKI, importJWK, type JWK } from 'jose'

/** The `cat` header of Clerk M2M JWTs. */
export const M2M_CAT = 'cl_B7d4PD333AAA'

/** How a crafted token is signed: RS256 with a private key, HS256 with a secret, or not at all. */
export type Signer = { rsa: KeyObject } | { hmac: string } | 'none'

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/**
 * A compact JWS of `header` and `payload`. The header is used as given (its `alg` is not checked
 * against the signer), so tokens that lie about their algorithm can be built too.
 */
export function craftJwt(header: Record<string, unknown>, payload: Record<string, unknown>, signer: Signer) {
  const input = `${base64url(header)}.${base64url(payload)}`
  if (signer === 'none') return `${input}.`
  const signature =
    'rsa' in signer
      ? sign('sha256', Buffer.from(input), signer.rsa) // RSASSA-PKCS1-v1_5, as RS256
      : createHmac('sha256', signer.hmac).update(input).digest()
  return `${input}.${signature.toString('base64url')}`
}

/**
 * Claims of a valid M2M JWT from `sender` to `receiver`, issued now for an hour (seconds, as
 * Clerk's). `sub` starts with `mch_`, so the verifier classifies the token as JWT-format.
 */
export function m2mClaims(sender: string, receiver: string, overrides: Record<string, unknown> = {}) {
  const iat = Math.floor(Date.now() / 1000)
  return {
    sub: sender,
    jti: `mt_${randomBytes(16).toString('hex')}`,
    iat,
    nbf: iat,
    exp: iat + 3600,
    scopes: receiver,
    ...overrides,
  }
}

/** An RSA key pair of our own, with its public key as a PEM (SPKI), the form `jwtKey` takes. */
export interface CraftingKey {
  privateKey: KeyObject
  publicPem: string
}

/** A fresh 2048-bit RSA key pair (synchronous, so that row option hooks can use it). */
export function rsaKeyPair(): CraftingKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }
}

let shared: CraftingKey | undefined

/** One key pair per test file, made on first use (RSA generation costs tens of milliseconds). */
export function craftingKey(): CraftingKey {
  shared ??= rsaKeyPair()
  return shared
}

/** The emulator's JWKS as a receiver fetches it: `GET /v1/jwks` with the instance Secret Key. */
export async function emulatorJwks(apiUrl: string, instanceSecretKey: string): Promise<JWK[]> {
  const response = await fetch(`${apiUrl}/v1/jwks`, {
    headers: { authorization: `Bearer ${instanceSecretKey}` },
  })
  if (response.status !== 200) throw new Error(`GET /v1/jwks: expected 200, got ${response.status}`)
  const { keys } = (await response.json()) as { keys: JWK[] }
  return keys
}

/** The newest published key: its `kid` and its public key as a PEM (SPKI), as `jwtKey` takes it. */
export async function emulatorSigningKey(apiUrl: string, instanceSecretKey: string) {
  const [newest] = await emulatorJwks(apiUrl, instanceSecretKey)
  if (newest?.kid === undefined) throw new Error('the emulator published no key with a kid')
  return { kid: newest.kid, pem: await pemOf(newest) }
}

/** A public JWK as a PEM (SPKI): jose `importJWK` then `exportSPKI`. */
export async function pemOf(jwk: JWK): Promise<string> {
  const key = await importJWK(jwk, jwk.alg ?? 'RS256', { extractable: true })
  return exportSPKI(key as CryptoKey)
}

/**
 * A `fetch` for verifier options that reaches `target` (the emulator) for any API URL under
 * `${target}/<scope>`: the verifier sees a URL it never saw (its key set cache, keyed by API URL,
 * starts empty) while every request still goes over loopback to the real emulator, faults included.
 */
export function scopedRoute(target: string): { apiUrl: string; fetch: typeof fetch } {
  const prefix = `${target}/scope-${randomBytes(6).toString('hex')}`
  const forward = (input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input)
    if (!url.startsWith(`${prefix}/`)) return Promise.reject(new TypeError('unexpected URL'))
    return fetch(`${target}${url.slice(prefix.length)}`, init)
  }
  return { apiUrl: prefix, fetch: forward as typeof fetch }
}
