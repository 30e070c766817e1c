/**
 * Distinct garbage bearer tokens for the flood tests, made cheaply from an index (no allocation
 * beyond the string itself). Kinds:
 * - `opaque`: every `wellFormedEvery`-th, a well-formed opaque token nobody issued. It reaches the
 *   token service once, then is remembered as a negative.
 * - `jwt`: an M2M-looking JWT with a forged signature and an unknown key id. Refused locally (at
 *   most a key-set fetch, rate limited by the verifier), then remembered as a negative.
 * - `malformed`: cannot be an M2M token; refused before any lookup, never remembered.
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/'

/** A fixed pseudo-random b64token alphabet run to slice garbage from (mulberry32, seeded). */
function filler(length: number, seed: number): string {
  let a = seed >>> 0
  let out = ''
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    out += B64[((t ^ (t >>> 14)) >>> 0) % B64.length]
  }
  return out
}

const FILL = filler(6000, 0x5eed)
/** The same run in the base64url alphabet, for JWT segments. */
const FILL_URL = FILL.replace(/[.~+/]/g, '_')
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** What a garbage token is, and so what must happen to it. */
export type GarbageKind = 'opaque' | 'jwt' | 'malformed'

/**
 * The `i`-th garbage token (distinct for distinct `i`): one in `wellFormedEvery` is `opaque`, as
 * many are `jwt`, the rest `malformed` in five shapes, mostly 8 to 200 characters long.
 */
export function garbageToken(i: number, wellFormedEvery: number): { token: string; kind: GarbageKind } {
  const id = i.toString(36)
  // Mostly short, one in ten long: long values cost the test's HTTP layer more than the verifier.
  const length = i % 10 === 9 ? 1000 + ((i * 7919) % 1000) : 8 + ((i * 7919) % 200)
  const fill = FILL.slice(i % 1000, (i % 1000) + length)
  const slot = i % wellFormedEvery
  if (slot === 0) return { token: `mt_${(i + 1).toString(16).padStart(40, 'a')}`, kind: 'opaque' }
  if (slot === 1) {
    // An M2M-looking JWT with a forged signature and an unknown key id: checked locally.
    const signature = FILL_URL.slice(i % 1000, (i % 1000) + length)
    const token = `${b64url({ alg: 'RS256', kid: `ins_${id}` })}.${b64url({ sub: `mch_${id}` })}.${signature}`
    return { token, kind: 'jwt' }
  }
  switch (i % 5) {
    case 0:
      return { token: `${id}.${fill}`, kind: 'malformed' } // b64token, not an M2M token
    case 1:
      return { token: `mt_${id}_${fill}`, kind: 'malformed' } // mt_ with characters opaque tokens lack
    case 2:
      return { token: `${id}!"#{${fill}}`, kind: 'malformed' } // not b64token: 400
    case 3:
      return { token: `${id}${FILL.slice(0, 4200)}`, kind: 'malformed' } // longer than any token: 400
    default:
      return { token: `oat_${id}${fill}`, kind: 'malformed' } // another kind of token
  }
}
