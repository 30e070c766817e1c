/**
 * Store keys and values bound to the verifier's secret key. Two HMAC keys are derived from it with
 * HKDF (WebCrypto): one names entries (`HMAC(token)`: a writer cannot plant an entry for a token of
 * its choice without the key), one authenticates them (a writer cannot forge or move an entry). The
 * scope (API URL, machine id, JWT key) goes into the derivation, so verifiers that could answer
 * differently neither share nor accept each other's entries.
 */
import type { VerifiedM2MToken } from '../types.js'
import type { SealedEntry } from './types.js'

/** Everything that changes a verification's answer, hence scopes a shared store. */
export interface CacheScope {
  apiUrl: string
  secretKey: string
  machineId: string | undefined
  jwtKey: string | undefined
}

/** What a sealed entry proves: this token was verified (by a verifier of our scope) at `verifiedAt`. */
export interface OpenedEntry {
  token: VerifiedM2MToken
  verifiedAt: number
}

/** Keys, seals and opens entries and bus messages of one scope. */
export interface Sealer {
  /** `m2m:v2:<scope id>:<HMAC(token) hex>`: computed once per miss, then reused. */
  keyOf(token: string): Promise<string>
  /** The broadcast channel of the scope: `m2m:v2:<scope id>:bus`. */
  channel(): Promise<string>
  seal(key: string, opened: OpenedEntry): Promise<SealedEntry>
  /** The entry's content when its MAC is ours and its shape right; `undefined` otherwise. */
  open(key: string, value: unknown): Promise<OpenedEntry | undefined>
  /** A MAC (hex) of `text` under the scope's authentication key. */
  sign(text: string): Promise<string>
  /** Constant-time check of `mac` against `text`. */
  check(text: string, mac: string): Promise<boolean>
}

const encoder = new TextEncoder()

/** Builds the sealer of `scope`; the HKDF derivations run once, on first use. */
export function createSealer(scope: CacheScope): Sealer {
  let keys: Promise<{ naming: CryptoKey; auth: CryptoKey; scopeId: string }> | undefined
  const derived = () => {
    keys ??= deriveKeys(scope)
    return keys
  }
  const sign = async (text: string) => hex(await hmac((await derived()).auth, text))
  const check = async (text: string, mac: string) => {
    const bytes = fromHex(mac)
    if (bytes === undefined) return false
    return crypto.subtle.verify('HMAC', (await derived()).auth, bytes, encoder.encode(text))
  }
  return {
    async keyOf(token) {
      const { naming, scopeId } = await derived()
      return `m2m:v2:${scopeId}:${hex(await hmac(naming, `token\n${token}`))}`
    },
    async channel() {
      return `m2m:v2:${(await derived()).scopeId}:bus`
    },
    async seal(key, opened) {
      const body = JSON.stringify(opened)
      return { v: 2, body, mac: await sign(`${key}\n${body}`) }
    },
    async open(key, value) {
      if (!isSealed(value) || !(await check(`${key}\n${value.body}`, value.mac))) return undefined
      try {
        const opened = JSON.parse(value.body) as unknown
        return isOpened(opened) ? opened : undefined
      } catch {
        return undefined
      }
    },
    sign,
    check,
  }
}

async function deriveKeys(scope: CacheScope) {
  const base = await crypto.subtle.importKey('raw', encoder.encode(scope.secretKey), 'HKDF', false, [
    'deriveKey',
  ])
  // The scope goes into `info`: a verifier with another API URL, machine or JWT key derives other keys.
  const context = `${scope.apiUrl}\n${scope.machineId ?? ''}\n${scope.jwtKey ?? ''}`
  const derive = (purpose: string) =>
    crypto.subtle.deriveKey(
      {
        name: 'HKDF',
        hash: 'SHA-256',
        salt: encoder.encode('m2m-auth shared store v2'),
        info: encoder.encode(`${purpose}\n${context}`),
      },
      base,
      { name: 'HMAC', hash: 'SHA-256', length: 256 },
      false,
      ['sign', 'verify'],
    )
  const [naming, auth] = await Promise.all([derive('naming'), derive('auth')])
  // Not secret, but derived: the scope id reveals nothing about the key or the URL.
  const scopeId = hex(await hmac(naming, 'scope')).slice(0, 32)
  return { naming, auth, scopeId }
}

async function hmac(key: CryptoKey, text: string): Promise<ArrayBuffer> {
  return crypto.subtle.sign('HMAC', key, encoder.encode(text))
}

function hex(buffer: ArrayBuffer): string {
  let out = ''
  for (const byte of new Uint8Array(buffer)) out += byte.toString(16).padStart(2, '0')
  return out
}

function fromHex(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (text.length !== 64 || !/^[0-9a-f]+$/.test(text)) return undefined
  const bytes = new Uint8Array(32)
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16)
  return bytes
}

function isSealed(value: unknown): value is SealedEntry {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Partial<SealedEntry>
  return v.v === 2 && typeof v.body === 'string' && typeof v.mac === 'string'
}

/** Authenticated entries come from our own code, but possibly another version of it: check the shape. */
function isOpened(value: unknown): value is OpenedEntry {
  if (typeof value !== 'object' || value === null) return false
  const { token, verifiedAt } = value as Partial<OpenedEntry>
  return (
    typeof verifiedAt === 'number' &&
    Number.isFinite(verifiedAt) &&
    typeof token === 'object' &&
    token !== null &&
    token.tokenType === 'm2m_token' &&
    typeof token.subject === 'string' &&
    typeof token.id === 'string' &&
    Array.isArray(token.scopes)
  )
}
