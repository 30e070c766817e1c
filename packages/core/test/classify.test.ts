/**
 * Token classification: decided from the string alone (no network, no signature check), strict on
 * the opaque character set, and JWTs recognised as M2M only by a `sub` starting with `mch_`.
 */
import { describe, expect, it } from 'vitest'
import { classifyToken, MAX_TOKEN_LENGTH } from '../src/index.js'

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const jwt = (payload: unknown) => `${b64url({ alg: 'RS256', kid: 'k' })}.${b64url(payload)}.c2ln`

describe('classifyToken', () => {
  it.each([
    ['mt_f7f0ba8c3b4843ce7d85fcdd5e71853e', 'opaque'],
    ['mt_0123456', 'opaque'], // 10 characters: the shortest accepted
    [`mt_${'A'.repeat(125)}`, 'opaque'], // 128 characters: the longest accepted
    [jwt({ sub: 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk', jti: 'x' }), 'jwt'],
  ])('%s -> %s', (token, format) => {
    expect(classifyToken(token)).toBe(format)
  })

  it.each([
    ['empty', ''],
    ['prefix only', 'mt_'],
    ['too short', 'mt_012345'],
    ['too long', `mt_${'A'.repeat(126)}`],
    ['dash', 'mt_0123-456789'],
    ['underscore', 'mt_0123_456789'],
    ['upper-case prefix', 'MT_0123456789'],
    ['OAuth token', 'oat_0123456789abcdef'],
    ['API key', 'ak_0123456789abcdef'],
    ['session JWT (sub user_)', jwt({ sub: 'user_2abc' })],
    ['JWT without sub', jwt({ jti: 'x' })],
    ['JWT whose sub is not a string', jwt({ sub: ['mch_x'] })],
    ['JWT with a JSON array payload', jwt(['mch_x'])],
    ['JWT whose payload is not base64url JSON', 'eyJhbGciOiJSUzI1NiJ9.bm90LWpzb24.c2ln'],
    ['two parts', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtY2hfeCJ9'],
    ['four parts', `${jwt({ sub: 'mch_x' })}.x`],
    ['padded base64', `${jwt({ sub: 'mch_x' })}=`],
    ['beyond MAX_TOKEN_LENGTH', jwt({ sub: 'mch_x', pad: 'a'.repeat(MAX_TOKEN_LENGTH) })],
    ['not a string', 42 as unknown as string],
  ])('%s -> null', (_name, token) => {
    expect(classifyToken(token)).toBeNull()
  })
})
