/**
 * RFC 6750 section 2.1 header parsing: what `parseBearer` accepts, and the answer (400 or 401)
 * for every way an Authorization header can be wrong, also through `verifier.authenticate`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  InvalidRequestError,
  MAX_TOKEN_LENGTH,
  MissingTokenError,
  parseBearer,
  toErrorResponse,
} from '../src/index.js'
import { type Harness, harness, opaqueToken, rejectionOf, validReply } from './verifier.fixtures.js'

const TOKEN = opaqueToken(1)

/** Header values that carry `TOKEN` correctly. */
const ACCEPTED: Array<[string, string]> = [
  ['canonical', `Bearer ${TOKEN}`],
  ['lower-case scheme', `bearer ${TOKEN}`],
  ['upper-case scheme', `BEARER ${TOKEN}`],
  ['mixed-case scheme', `bEaReR ${TOKEN}`],
  ['several spaces (1*SP)', `Bearer    ${TOKEN}`],
  ['surrounding optional whitespace', ` \tBearer ${TOKEN} \t`],
]

/** Header values that are rejected, with the status each must produce. */
const REJECTED: Array<[string, string | null | undefined, 400 | 401]> = [
  ['absent (undefined)', undefined, 401],
  ['absent (null)', null, 401],
  ['empty', '', 401],
  ['spaces only', '   ', 401],
  ['tabs only', '\t\t', 401],
  ['Basic scheme', 'Basic dXNlcjpwYXNz', 401],
  ['Digest scheme', 'Digest username="a", realm="b"', 401],
  ['another scheme with no credentials', 'Negotiate', 401],
  ['scheme glued to token', `Bearer${TOKEN}`, 401],
  ['Bearer alone', 'Bearer', 400],
  ['Bearer and spaces only', 'Bearer    ', 400],
  ['tab as separator', `Bearer\t${TOKEN}`, 400],
  ['two tokens', `Bearer ${TOKEN} ${TOKEN}`, 400],
  ['comma: several credentials', `Bearer ${TOKEN}, Basic dXNlcjpwYXNz`, 400],
  ['comma inside the token', `Bearer ${TOKEN},x`, 400],
  ['quoted token', `Bearer "${TOKEN}"`, 400],
  ['NUL inside the token', `Bearer ${TOKEN}\u0000`, 400],
  ['newline inside the token', `Bearer mt_abc\nX-Injected: 1`, 400],
  ['CR at the end', `Bearer ${TOKEN}\r`, 400],
  ['DEL character', `Bearer ${TOKEN}\u007f`, 400],
  ['non-ASCII character', `Bearer ${TOKEN}é`, 400],
  ['padding only', 'Bearer ===', 400],
  ['padding in the middle', 'Bearer abc=def', 400],
  ['illegal character *', 'Bearer abc*def', 400],
  ['illegal character @', 'Bearer abc@def', 400],
  ['semicolon', `Bearer ${TOKEN};`, 400],
  ['leading garbage before the scheme', `@Bearer ${TOKEN}`, 400],
  ['auth-param syntax instead of a token', 'Bearer token="abc"', 400],
  ['token one character too long', `Bearer ${'a'.repeat(MAX_TOKEN_LENGTH + 1)}`, 400],
  ['huge header', `Bearer ${'a'.repeat(100_000)}`, 400],
  ['huge other-scheme header', `Basic ${'a'.repeat(100_000)}`, 400],
  ['scheme with a colon', `Bearer: ${TOKEN}`, 400],
]

describe('parseBearer', () => {
  it.each(ACCEPTED)('extracts the token: %s', (_name, header) => {
    expect(parseBearer(header)).toBe(TOKEN)
  })

  it('accepts every b64token character and trailing padding', () => {
    const token = 'AZaz09-._~+/abc=='
    expect(parseBearer(`Bearer ${token}`)).toBe(token)
  })

  it('accepts a token of exactly the maximum length', () => {
    const token = 'a'.repeat(MAX_TOKEN_LENGTH)
    expect(parseBearer(`Bearer ${token}`)).toBe(token)
  })

  it.each(REJECTED)('rejects %s', (_name, header, status) => {
    let thrown: unknown
    try {
      parseBearer(header)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(status === 401 ? MissingTokenError : InvalidRequestError)
    expect((thrown as MissingTokenError).status).toBe(status)
  })

  it('answers 401 with a bare challenge when no bearer credentials are presented', () => {
    const response = toErrorResponse(
      rejection(() => parseBearer('Basic abc')),
      { realm: 'api' },
    )
    expect(response.headers['www-authenticate']).toBe('Bearer realm="api"')
  })

  it('never echoes the header or token in the error', () => {
    const secret = 'mt_secretSecretSecret123'
    for (const header of [`Bearer ${secret} x`, `Bearer ${secret},`, `Bearer\t${secret}`]) {
      const error = rejection(() => parseBearer(header))
      const rendered = JSON.stringify(toErrorResponse(error, { realm: 'api' }))
      expect(`${error.message} ${rendered}`).not.toContain('secretSecret')
    }
  })

  it('rejects a non-string value given by a careless adapter (e.g. an array) with 400', () => {
    const error = rejection(() => parseBearer([`Bearer ${TOKEN}`] as unknown as string))
    expect(error).toBeInstanceOf(InvalidRequestError)
  })
})

describe('verifier.authenticate applies the same table', () => {
  let h: Harness
  beforeAll(async () => {
    h = await harness()
    h.replies.set(TOKEN, validReply())
  })
  afterAll(() => h.close())

  it.each(ACCEPTED)('authenticates: %s', async (_name, header) => {
    await expect(h.verifier.authenticate(header)).resolves.toMatchObject({ id: expect.any(String) })
  })

  it.each(REJECTED)('answers %s with the expected status', async (_name, header, status) => {
    const error = await rejectionOf(h.verifier.authenticate(header))
    expect(error.status).toBe(status)
  })

  it('never calls the token service for a rejected header', async () => {
    const before = h.upstreamCount()
    for (const [, header] of REJECTED) await h.verifier.authenticate(header).catch(() => undefined)
    expect(h.upstreamCount()).toBe(before)
  })

  it('optional: resolves null without credentials (absent, empty, another scheme)', async () => {
    for (const header of [undefined, null, '', '  ', 'Basic dXNlcjpwYXNz']) {
      await expect(h.verifier.authenticate(header, { optional: true })).resolves.toBeNull()
    }
  })

  it('optional: still rejects a malformed header (400) and an unknown token (401)', async () => {
    const malformed = await rejectionOf(h.verifier.authenticate('Bearer a b', { optional: true }))
    expect(malformed.status).toBe(400)
    const unknown = await rejectionOf(h.verifier.authenticate(`Bearer ${opaqueToken(2)}`, { optional: true }))
    expect(unknown.status).toBe(401)
  })
})

function rejection(fn: () => unknown): MissingTokenError {
  try {
    fn()
  } catch (error) {
    return error as MissingTokenError
  }
  throw new Error('expected a throw')
}
