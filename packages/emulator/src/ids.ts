import { createHash, createHmac, randomBytes } from 'node:crypto'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** Shape of a machine id (Clerk: `^mch_\w{27}$`). */
export const MACHINE_ID_PATTERN = /^mch_\w{27}$/
/** Shape of an M2M token id (Clerk: `^mt_[0-9A-Fa-f]{32}$`). */
export const TOKEN_ID_PATTERN = /^mt_[0-9A-Fa-f]{32}$/

/**
 * Where the emulator's ids and keys come from: random bytes, or bytes derived from a seed so a
 * restart with the same seed hands out the same machines and keys.
 */
export interface IdSource {
  /** `n` bytes for `label`; a seeded source returns the same bytes for the same label. */
  bytes(label: string, n: number): Uint8Array
}

/** Random ids and keys. */
export const randomIdSource: IdSource = { bytes: (_label, n) => randomBytes(n) }

/**
 * Ids and keys derived from `seed` with HMAC-SHA256 (counter mode), so they depend on the seed and
 * the label only.
 */
export function seededIdSource(seed: string): IdSource {
  return {
    bytes(label, n) {
      const out = Buffer.alloc(n)
      for (let block = 0, offset = 0; offset < n; block++) {
        const digest = createHmac('sha256', seed).update(`${label}#${block}`).digest()
        offset += digest.copy(out, offset)
      }
      return out
    },
  }
}

/** A base62 string of `length` characters (modulo bias is irrelevant for local dev keys). */
export function base62(bytes: Uint8Array, length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += BASE62[(bytes[i] ?? 0) % 62]
  return out
}

/** `mch_` + 27 base62 characters. */
export function machineId(source: IdSource, label: string): string {
  return `mch_${base62(source.bytes(`${label}:id`, 27), 27)}`
}

/** `ak_` + 40 base62 characters: a Machine Secret Key. */
export function machineSecretKey(source: IdSource, label: string): string {
  return `ak_${base62(source.bytes(`${label}:secret`, 40), 40)}`
}

/** `sk_test_` + 40 base62 characters: the instance Secret Key. */
export function instanceSecretKey(source: IdSource): string {
  return `sk_test_${base62(source.bytes('instance:secret', 40), 40)}`
}

/** `ins_` + 27 base62 characters. */
export function instanceId(source: IdSource): string {
  return `ins_${base62(source.bytes('instance:id', 27), 27)}`
}

/** `mt_` + 32 lowercase hex characters: an M2M token id (always random). */
export function tokenId(): string {
  return `mt_${randomBytes(16).toString('hex')}`
}

/**
 * `mt_` + 48 base62 characters: an opaque token. Longer than an id and not hex, so a token can
 * never be mistaken for an id (always random).
 */
export function opaqueTokenSecret(): string {
  return `mt_${base62(randomBytes(48), 48)}`
}

/** A `kid` for a JWT signing key (always random: keys themselves cannot be derived from a seed). */
export function signingKeyId(): string {
  return `jwk_${base62(randomBytes(27), 27)}`
}

/** 32 hex characters, like Clerk's `clerk_trace_id`. */
export function traceId(): string {
  return randomBytes(16).toString('hex')
}

/** A 32-bit integer derived from `seed` (for the fault PRNG), or a random one. */
export function prngSeed(seed: string | undefined, stream: string): number {
  const bytes =
    seed === undefined ? randomBytes(4) : createHash('sha256').update(`${seed}:${stream}`).digest()
  return bytes.readUInt32LE(0)
}
