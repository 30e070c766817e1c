import { expect } from 'vitest'
import type { TestResponse } from '../../helpers/http.js'
import { expectCaller } from './token.js'
import type { RowGroup } from './types.js'

const GARBAGE = 'Bearer mt_0000000000000000000000000000dead'

function expectBody(expected: unknown) {
  return (response: TestResponse): void => {
    expect(response.json).toEqual(expected)
  }
}

/** Required scopes (`/scoped`), optional mode (`/optional`) and an unprotected route (`/public`). */
export const routeRows: RowGroup = {
  title: 'scopes and optional mode',
  rows: [
    {
      name: 'a valid token lacking the required scope: 403 insufficient_scope naming it',
      path: '/scoped',
      authorization: async (ctx) => `Bearer ${(await ctx.issue()).token}`,
      expect: { status: 403, error: 'insufficient_scope', scope: (ctx) => ctx.machines.admin.id },
    },
    {
      name: 'a valid token with the required scope: 200',
      path: '/scoped',
      authorization: async (ctx) => `Bearer ${(await ctx.issue({ from: 'privileged' })).token}`,
      expect: { status: 200, check: expectCaller('privileged') },
    },
    {
      name: 'no credentials on a scoped route: 401 with a bare challenge',
      path: '/scoped',
      expect: { status: 401, error: 'unauthorized' },
    },
    {
      name: 'an invalid token on a scoped route: 401 invalid_token, not 403',
      path: '/scoped',
      authorization: () => GARBAGE,
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: 'optional mode without credentials: 200 with m2m null',
      path: '/optional',
      expect: { status: 200, check: expectBody({ m2m: null }) },
    },
    {
      name: 'optional mode with a valid token: 200 with the caller',
      path: '/optional',
      authorization: async (ctx) => `Bearer ${(await ctx.issue()).token}`,
      expect: { status: 200, check: expectCaller('sender') },
    },
    {
      name: 'optional mode still refuses a bad token: 401 invalid_token',
      path: '/optional',
      authorization: () => GARBAGE,
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: 'optional mode still refuses a malformed header: 400 invalid_request',
      path: '/optional',
      authorization: () => 'Bearer two tokens',
      expect: { status: 400, error: 'invalid_request' },
    },
    {
      name: 'optional mode next to a required scope, without credentials: 401, never 200',
      path: '/optional-scoped',
      expect: { status: 401, error: 'unauthorized' },
    },
    {
      name: 'optional mode next to a required scope, with a token lacking it: 403',
      path: '/optional-scoped',
      authorization: async (ctx) => `Bearer ${(await ctx.issue()).token}`,
      expect: { status: 403, error: 'insufficient_scope', scope: (ctx) => ctx.machines.admin.id },
    },
    {
      name: 'optional mode next to a required scope, with a token carrying it: 200',
      path: '/optional-scoped',
      authorization: async (ctx) => `Bearer ${(await ctx.issue({ from: 'privileged' })).token}`,
      expect: { status: 200, check: expectCaller('privileged') },
    },
    {
      name: 'an unprotected route ignores the Authorization header',
      path: '/public',
      authorization: () => GARBAGE,
      expect: { status: 200, check: expectBody({ ok: true }) },
    },
  ],
}
