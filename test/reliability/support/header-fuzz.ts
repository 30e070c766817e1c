/**
 * Arbitrary `Authorization` header lines for the header fuzz, and the oracle that says what an
 * answer to them may be. A case is a list of header lines written with placeholders for the one
 * valid token (`<valid>`, `<valid:upper>`, ...), so that what fast-check prints on a failure never
 * contains a credential; `render` substitutes them just before the bytes are sent.
 */
import fc from 'fast-check'

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/'
const TCHAR_EXTRA = "!#$%&'*^`|"
const ALNUM = B64.slice(0, 62)

/** Bytes Node's HTTP parser refuses in a header value (measured: every C0 control but HTAB, and DEL). */
export function isParserRejected(code: number): boolean {
  return (code < 0x20 && code !== 0x09) || code === 0x7f
}

/** Node's default `--max-http-header-size`. */
export const MAX_HEADER_BYTES = 16_384

const charOf = (set: string) => fc.constantFrom(...set)
const stringOf = (set: string, maxLength: number, minLength = 0) =>
  fc.string({ unit: charOf(set), minLength, maxLength })
/** Any byte a header line can carry: everything but CR and LF, which would end the line. */
const anyByte = fc
  .integer({ min: 0, max: 255 })
  .filter((c) => c !== 0x0a && c !== 0x0d)
  .map((c) => String.fromCharCode(c))
const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c))
const latin1High = fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c))

const ows = fc.constantFrom('', '', ' ', '  ', '\t', ' \t ')
const scheme = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('Bearer', 'bearer', 'BEARER', 'BeArEr') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'Basic',
      'Digest',
      'Token',
      'DPoP',
      'Bearer:',
      'Bearer,',
      'Bear',
      'Bearerx',
      'mt_',
    ),
  },
  { weight: 1, arbitrary: stringOf(ALNUM + TCHAR_EXTRA, 12, 1) },
)
const separator = fc.constantFrom(' ', ' ', ' ', '  ', '\t', '', ',', ', ', '=', ' = ', '\xa0')

const wellFormedOpaque = stringOf(ALNUM, 125, 7).map((s) => `mt_${s}`)
const jwtLike = fc
  .tuple(stringOf(B64.slice(0, 64), 40, 1), fc.jsonValue({ maxDepth: 2 }), stringOf(B64.slice(0, 64), 40, 1))
  .map(
    ([h, payload, s]) => `${h}.${Buffer.from(JSON.stringify(payload) ?? 'null').toString('base64url')}.${s}`,
  )
const m2mJwtLike = fc
  .tuple(stringOf(ALNUM, 27, 1), stringOf(B64.slice(0, 64), 40, 1))
  .map(
    ([sub, s]) =>
      `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: `mch_${sub}` })).toString('base64url')}.${s}`,
  )

const tokenPart = fc.oneof(
  { weight: 5, arbitrary: stringOf(B64, 64, 1) },
  { weight: 2, arbitrary: fc.tuple(stringOf(B64, 40, 1), stringOf('=', 3)).map(([a, b]) => a + b) },
  { weight: 3, arbitrary: wellFormedOpaque },
  { weight: 1, arbitrary: jwtLike },
  { weight: 1, arbitrary: m2mJwtLike },
  { weight: 2, arbitrary: fc.string({ unit: printable, maxLength: 48 }) },
  { weight: 1, arbitrary: fc.string({ unit: latin1High, maxLength: 16 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(stringOf(B64, 20, 1), separator, stringOf(B64, 20, 1)).map((p) => p.join('')),
  },
  { weight: 1, arbitrary: fc.integer({ min: 4090, max: 4200 }).map((n) => 'A'.repeat(n)) },
)

/** `<scheme><sep><token>` with optional whitespace around it. */
const schemeAndToken = fc.tuple(ows, scheme, separator, tokenPart, ows).map((p) => p.join(''))

/** The valid token, exactly or nearly: the oracle decides which of these must pass. */
const validish = fc
  .tuple(
    ows,
    fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Bearer', 'Basic', 'Bearer:'),
    fc.constantFrom(' ', ' ', '  ', '\t', '', ','),
    fc.constantFrom('<valid>', '<valid>', '<valid:upper>', '<valid:head>', '<valid:tail>'),
    fc.constantFrom('', '', '=', '==', 'x', ' x', ',', '.', '\t', '<valid>'),
    ows,
  )
  .map((p) => p.join(''))

/** Values long enough to near or pass the header size limit (cheap to generate: one repeated run). */
const huge = fc
  .tuple(fc.integer({ min: 4_000, max: 20_000 }), fc.constantFrom('A', 'mt_', '=', ' ', '.', '\xff'))
  .map(([n, unit]) => `Bearer ${unit.repeat(Math.ceil(n / unit.length))}`)

const headerValue = fc.oneof(
  { weight: 8, arbitrary: schemeAndToken },
  { weight: 3, arbitrary: fc.string({ unit: anyByte, maxLength: 64 }) },
  { weight: 3, arbitrary: validish },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 8 }) },
  { weight: 1, arbitrary: huge },
)
const headerName = fc.constantFrom('Authorization', 'authorization', 'AUTHORIZATION', 'AuThOrIzAtIoN')
const afterColon = fc.constantFrom(' ', ' ', '', '\t', '  ')
const headerLine = fc.tuple(headerName, afterColon, headerValue).map(([n, ws, v]) => `${n}:${ws}${v}`)

/** One case: zero to three `Authorization` lines (mostly one), unrendered. */
export const authorizationLines: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 12, arbitrary: headerLine.map((line) => [line]) },
  { weight: 3, arbitrary: fc.array(headerLine, { minLength: 2, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constant<string[]>([]) },
)

/** Replaces the placeholders with the valid token (or what each placeholder derives from it). */
export function render(line: string, valid: string): string {
  return line
    .replaceAll('<valid:upper>', valid.toUpperCase())
    .replaceAll('<valid:head>', valid.slice(0, 20))
    .replaceAll('<valid:tail>', valid.slice(3))
    .replaceAll('<valid>', valid)
}

/** The value of a rendered `Name:<colon ws>value` line, as written (before the server trims it). */
export function lineValue(line: string): string {
  return line.slice(line.indexOf(':') + 1)
}

/** What the answer to a case may be. */
export type Expectation =
  | { kind: 'parser'; statuses: readonly number[] }
  | { kind: 'adapter'; accept: boolean }
  | { kind: 'parser-or-adapter' }

/**
 * The oracle. Lines a parser must refuse (a forbidden byte, or more header bytes than the limit)
 * are answered by the HTTP server itself; everything else by the adapter, which accepts exactly
 * one case: a single line `[OWS] Bearer 1*SP <the valid token> [OWS]` (RFC 6750 2.1).
 */
export function expectationFor(rendered: readonly string[], valid: string): Expectation {
  const bytes = headerBytes(rendered)
  const forbidden = rendered.some((line) =>
    [...lineValue(line)].some((c) => isParserRejected(c.charCodeAt(0))),
  )
  // The limit counts the whole header section; near it, which layer answers depends on the rest.
  const nearLimit = bytes > MAX_HEADER_BYTES - 256
  if (bytes > MAX_HEADER_BYTES + 256) return { kind: 'parser', statuses: forbidden ? [400, 431] : [431] }
  if (forbidden) return { kind: 'parser', statuses: nearLimit ? [400, 431] : [400] }
  if (nearLimit) return { kind: 'parser-or-adapter' }
  const only = rendered.length === 1 ? lineValue(rendered[0]!) : undefined
  return { kind: 'adapter', accept: only !== undefined && isExactBearer(only, valid) }
}

/**
 * The oracle when the app is driven in process: no parser in front of the adapter, so every case
 * is the adapter's (forbidden bytes and oversized values included) and it accepts exactly the
 * same single well-formed line.
 */
export function inProcessExpectationFor(rendered: readonly string[], valid: string): Expectation {
  return { kind: 'adapter', accept: rendered.length === 1 && isExactBearer(lineValue(rendered[0]!), valid) }
}

/** Bytes of these header lines on the wire, line ends included. */
export function headerBytes(rendered: readonly string[]): number {
  return rendered.reduce((n, line) => n + line.length + 2, 0)
}

function isExactBearer(value: string, valid: string): boolean {
  const match = /^[ \t]*bearer +([^ \t]+)[ \t]*$/i.exec(value)
  return match?.[1] === valid
}
