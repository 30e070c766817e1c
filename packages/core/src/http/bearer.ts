/**
 * Strict parsing of `Authorization: Bearer <token>` (RFC 6750 section 2.1). Every way a header can be
 * wrong maps to one of two answers: no bearer credentials at all (401 with a bare challenge) or a
 * malformed request (400 `invalid_request`). Error descriptions never contain the header or token.
 */
import { InvalidRequestError, MissingTokenError } from './errors.js'

/**
 * The longest bearer token we accept, in characters. Clerk's opaque tokens are a few dozen
 * characters and its JWTs well under 2 KiB; anything longer is rejected before any work is done.
 */
export const MAX_TOKEN_LENGTH = 4096

/** Headers longer than this cannot hold an acceptable token: rejected before any scanning. */
const MAX_HEADER_LENGTH = MAX_TOKEN_LENGTH + 64

const TCHAR = 1 // RFC 9110 `tchar`: what an auth-scheme name is made of
const B64 = 2 // RFC 6750 `b64token` characters, `=` padding excepted
/**
 * Character classes of the ASCII range, looked up per character: the parser runs on every request,
 * and a table scan is several times faster than the equivalent regular expressions.
 */
const CLASSES = buildClasses()

function buildClasses(): Uint8Array {
  const table = new Uint8Array(128)
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  for (const c of alnum) table[c.charCodeAt(0)] = TCHAR | B64
  for (const c of "!#$%&'*^`|") table[c.charCodeAt(0)] = TCHAR
  for (const c of '-._~+') table[c.charCodeAt(0)] = TCHAR | B64
  table['/'.charCodeAt(0)] = B64
  return table
}

/** `Bearer` (any case), one space, a b64token, nothing else: the common header in one pattern. */
const CANONICAL = /^[Bb][Ee][Aa][Rr][Ee][Rr] [A-Za-z0-9\-._~+/]+=*$/

const SP = 32
const HTAB = 9
const EQUALS = 61
const BEARER = 'bearer'

function has(code: number, kind: number): boolean {
  return code < 128 && (CLASSES[code]! & kind) !== 0
}

/** Case-insensitive `Bearer` at [start, end): ASCII letters only, so `| 32` lower-cases them. */
function isBearer(value: string, start: number, end: number): boolean {
  if (end - start !== BEARER.length) return false
  for (let i = 0; i < BEARER.length; i++) {
    if ((value.charCodeAt(start + i) | 32) !== BEARER.charCodeAt(i)) return false
  }
  return true
}

/**
 * Extracts the token from an `Authorization` header value.
 *
 * - `null`, `undefined`, empty or whitespace-only, or another scheme (`Basic ...`): no bearer
 *   credentials were presented, so `MissingTokenError` (401, bare challenge; RFC 6750 section 3.1).
 * - `Bearer` without a token, characters outside `b64token`, a second credential (`,`), extra
 *   parts, a tab as separator, control characters, or a token longer than {@link MAX_TOKEN_LENGTH}:
 *   `InvalidRequestError` (400).
 *
 * The scheme is case-insensitive. Scheme and token are separated by one or more spaces (RFC 9110's
 * `1*SP`); tabs are refused. Whitespace around the whole value is ignored, as HTTP parsers strip it.
 * Adapters pass a single header value: joining repeated headers is their job.
 *
 * @example
 * ```ts
 * parseBearer('Bearer mt_abc123') // 'mt_abc123'
 * parseBearer(undefined)          // throws MissingTokenError
 * parseBearer('Bearer a b')       // throws InvalidRequestError
 * ```
 */
export function parseBearer(headerValue: string | null | undefined): string {
  // Fast path for `Bearer <token>` exactly, which nearly every request carries: one native regex
  // test and one slice, no match array. Anything else goes through the scanner, which also finds
  // the precise error.
  if (typeof headerValue === 'string' && headerValue.length <= MAX_TOKEN_LENGTH + 7) {
    if (CANONICAL.test(headerValue)) return headerValue.slice(7)
  }
  return scan(headerValue)
}

/** `parseBearer` for every header the fast path did not accept: finds what is wrong with it. */
function scan(headerValue: string | null | undefined): string {
  if (headerValue === null || headerValue === undefined) throw new MissingTokenError()
  if (typeof headerValue !== 'string') {
    throw new InvalidRequestError('The Authorization header must be a single value')
  }
  const value = headerValue
  if (value.length > MAX_HEADER_LENGTH) throw new InvalidRequestError('The bearer token is too long')
  let start = 0
  let end = value.length
  while (start < end && isOws(value.charCodeAt(start))) start++
  while (end > start && isOws(value.charCodeAt(end - 1))) end--
  if (start === end) throw new MissingTokenError()

  let i = start
  while (i < end && has(value.charCodeAt(i), TCHAR)) i++
  if (i === start || (i < end && value.charCodeAt(i) !== SP)) {
    throw new InvalidRequestError('The Authorization header is malformed')
  }
  if (!isBearer(value, start, i)) throw new MissingTokenError() // another scheme: no bearer credentials
  while (i < end && value.charCodeAt(i) === SP) i++
  if (i === end) throw new InvalidRequestError('The bearer token is missing')
  return readToken(value, i, end)
}

/** The b64token at [start, end), which must be all of it: `1*b64char *"="`. */
function readToken(value: string, start: number, end: number): string {
  if (end - start > MAX_TOKEN_LENGTH) throw new InvalidRequestError('The bearer token is too long')
  let i = start
  while (i < end && has(value.charCodeAt(i), B64)) i++
  const body = i - start
  while (i < end && value.charCodeAt(i) === EQUALS) i++
  if (body === 0 || i !== end) {
    throw new InvalidRequestError('The bearer token is malformed (RFC 6750 b64token expected)')
  }
  return start === 0 && end === value.length ? value : value.slice(start, end)
}

function isOws(code: number): boolean {
  return code === SP || code === HTAB
}

/**
 * The `Authorization` value of a request given as Node-style raw headers (`[name, value, ...]`).
 * Node keeps only the first of repeated `Authorization` lines in its parsed headers; here every line
 * is joined the way RFC 9110 combines fields, so two credentials become one malformed value that
 * `parseBearer` refuses (400) instead of one of them being trusted. Allocates nothing in the usual
 * single-line case.
 *
 * @example
 * ```ts
 * verifier.authenticate(authorizationFromRawHeaders(req.rawHeaders))
 * ```
 */
export function authorizationFromRawHeaders(rawHeaders: readonly string[]): string | undefined {
  let first: string | undefined
  let lines: string[] | undefined
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    if (name.length !== 13 || name.toLowerCase() !== 'authorization') continue
    const value = rawHeaders[i + 1] as string
    if (first === undefined) {
      first = value
    } else {
      lines ??= [first]
      lines.push(value)
    }
  }
  return lines === undefined ? first : lines.join(', ')
}

/** Parsed request headers as Node and the bridges that imitate it keep them. */
export interface ParsedHeadersLike {
  authorization?: string | readonly string[] | undefined
}

/**
 * The `Authorization` value of a Node-style request, wherever it is kept: the raw header list when
 * the request has one (so repeated lines are joined and refused, see
 * {@link authorizationFromRawHeaders}), else the parsed headers, as serverless bridges and test
 * helpers fill only those (an array there is joined the same way).
 *
 * @example
 * ```ts
 * verifier.authenticate(authorizationOf(req.rawHeaders, req.headers))
 * ```
 */
export function authorizationOf(
  rawHeaders: readonly string[] | undefined,
  headers: ParsedHeadersLike | undefined,
): string | undefined {
  if (rawHeaders !== undefined && rawHeaders.length > 0) return authorizationFromRawHeaders(rawHeaders)
  const value = headers?.authorization
  if (value === undefined || typeof value === 'string') return value
  // Anything else is handed on as it is: parseBearer refuses it (400) rather than treating it as absent.
  return Array.isArray(value) ? value.join(', ') : (value as unknown as string)
}
