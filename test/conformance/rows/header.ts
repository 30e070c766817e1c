import type { RowGroup } from './types.js'

/** An opaque token shape that no emulator ever issued. */
const UNKNOWN_TOKEN = `mt_${'0123456789abcdef'.repeat(2)}`

/** Reading the `Authorization` header (RFC 6750 section 2.1, design.md's first two rows). */
export const headerRows: RowGroup = {
  title: 'Authorization header',
  rows: [
    {
      name: 'no Authorization header: 401 with a bare challenge',
      expect: { status: 401, error: 'unauthorized' },
    },
    {
      name: 'an empty Authorization header counts as no credentials',
      authorization: () => '',
      expect: { status: 401, error: 'unauthorized' },
    },
    {
      name: 'another scheme (Basic) counts as no bearer credentials',
      authorization: () => 'Basic dXNlcjpwYXNzd29yZA==',
      expect: { status: 401, error: 'unauthorized' },
    },
    {
      name: 'the scheme is case-insensitive (lowercase bearer)',
      authorization: async (ctx) => `bearer ${(await ctx.issue()).token}`,
      expect: { status: 200 },
    },
    {
      name: 'the scheme is case-insensitive (BeArEr)',
      authorization: async (ctx) => `BeArEr ${(await ctx.issue()).token}`,
      expect: { status: 200 },
    },
    {
      name: 'Bearer without a token: 400 invalid_request',
      authorization: () => 'Bearer',
      expect: { status: 400, error: 'invalid_request' },
    },
    {
      name: 'two tokens after the scheme: 400 invalid_request',
      authorization: async (ctx) => `Bearer ${(await ctx.issue()).token} ${UNKNOWN_TOKEN}`,
      expect: { status: 400, error: 'invalid_request' },
    },
    {
      name: 'two credentials in one header (comma): 400 invalid_request',
      authorization: async (ctx) => `Bearer ${(await ctx.issue()).token}, Bearer ${UNKNOWN_TOKEN}`,
      expect: { status: 400, error: 'invalid_request' },
    },
    {
      name: 'two Authorization header lines: 400 invalid_request, never the first or last wins',
      authorization: async (ctx) => [`Bearer ${(await ctx.issue()).token}`, `Bearer ${UNKNOWN_TOKEN}`],
      expect: { status: 400, error: 'invalid_request' },
    },
    {
      name: 'characters outside b64token: 400 invalid_request',
      authorization: () => 'Bearer mt_abc$def%ghi',
      expect: { status: 400, error: 'invalid_request' },
    },
    {
      name: 'a non-ASCII character in the token: 400 invalid_request',
      authorization: () => 'Bearer mt_caf\u00e9caf\u00e9caf\u00e9',
      expect: { status: 400, error: 'invalid_request' },
    },
    {
      name: 'a tab between scheme and token: 400 invalid_request',
      authorization: async (ctx) => `Bearer\t${(await ctx.issue()).token}`,
      expect: { status: 400, error: 'invalid_request' },
    },
    {
      name: 'a token longer than 4096 characters: 400 invalid_request',
      authorization: () => `Bearer mt_${'a'.repeat(4094)}`,
      expect: { status: 400, error: 'invalid_request' },
    },
    {
      name: 'a well-formed token of exactly 4096 characters is read, then refused as invalid_token',
      authorization: () => `Bearer mt_${'a'.repeat(4093)}`,
      expect: { status: 401, error: 'invalid_token' },
    },
  ],
}
