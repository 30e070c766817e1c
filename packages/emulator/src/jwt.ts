import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose'
import { signingKeyId } from './ids.js'

/** Header `cat` of Clerk's M2M JWTs. */
export const M2M_JWT_CATEGORY = 'cl_B7d4PD333AAA'

/** Algorithms Clerk signs M2M JWTs with (we sign RS256; verify accepts all three). */
const ACCEPTED_ALGORITHMS = ['RS256', 'RS384', 'RS512']

interface SigningKey {
  kid: string
  privateKey: CryptoKey
  publicJwk: JWK
}

async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  const kid = signingKeyId()
  const jwk = await exportJWK(publicKey)
  return { kid, privateKey, publicJwk: { kid, alg: 'RS256', use: 'sig', kty: 'RSA', n: jwk.n, e: jwk.e } }
}

/**
 * The instance's JWT signing keys, newest first. The first key is generated lazily, on the first
 * JWT or JWKS request, because RSA key generation costs tens of milliseconds that most test
 * suites never need.
 */
export class KeyRing {
  private keys: SigningKey[] = []
  private first: Promise<void> | undefined
  private keySet: ReturnType<typeof createLocalJWKSet> | undefined

  /** The public JWKS (`{ keys: [...] }`), newest key first. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.ready()
    return { keys: this.keys.map((k) => ({ ...k.publicJwk })) }
  }

  /** Adds a new signing key; `keepOld: false` drops every older key from the JWKS. */
  async rotate(keepOld = true): Promise<{ kid: string }> {
    await this.ready()
    const key = await generateSigningKey()
    this.keys = keepOld ? [key, ...this.keys] : [key]
    this.keySet = undefined
    return { kid: key.kid }
  }

  /** Signs `payload` with the newest key, header `{ alg: RS256, kid, typ: JWT, cat }`. */
  async sign(payload: JWTPayload): Promise<string> {
    await this.ready()
    const key = this.keys[0]!
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT', cat: M2M_JWT_CATEGORY })
      .sign(key.privateKey)
  }

  /**
   * The payload of a JWT signed by one of our published keys, valid at `nowMs` (exp, nbf) and of
   * the M2M category; `undefined` for anything else.
   */
  async verify(token: string, nowMs: number): Promise<JWTPayload | undefined> {
    await this.ready()
    this.keySet ??= createLocalJWKSet({ keys: this.keys.map((k) => k.publicJwk) })
    try {
      const { payload, protectedHeader } = await jwtVerify(token, this.keySet, {
        algorithms: ACCEPTED_ALGORITHMS,
        currentDate: new Date(nowMs),
        requiredClaims: ['exp', 'sub', 'jti'],
      })
      // An absent `cat` is accepted, as Clerk's own SDK does; a different one is not ours.
      if (protectedHeader.cat !== undefined && protectedHeader.cat !== M2M_JWT_CATEGORY) return undefined
      return payload
    } catch {
      return undefined
    }
  }

  private async ready(): Promise<void> {
    this.first ??= generateSigningKey().then((key) => {
      this.keys.push(key)
    })
    try {
      await this.first
    } catch (error) {
      this.first = undefined // let the next request try again instead of failing forever
      throw error
    }
  }
}
