import { expect } from 'vitest'
import type { TestResponse } from '../../helpers/http.js'
import type { RowContext, RowGroup } from './types.js'

/** A 200 from `/protected`, `/scoped` or `/optional` carries the caller's verified token. */
export function expectCaller(machine: 'sender' | 'privileged') {
  return (response: TestResponse, ctx: RowContext): void => {
    const m2m = (response.json as { m2m?: Record<string, unknown> } | undefined)?.m2m
    expect(m2m).toMatchObject({
      tokenType: 'm2m_token',
      format: 'opaque',
      subject: ctx.machines[machine].id,
      machineId: ctx.machines[machine].id,
    })
    expect(m2m?.scopes).toContain(ctx.machines.receiver.id)
    expect(m2m?.id).toMatch(/^mt_/)
    expect(m2m, 'the verified token never carries the raw token').not.toHaveProperty('token')
  }
}

/** Opaque token outcomes (design.md: valid, unknown, expired, revoked, wrong type, wrong machine). */
export const tokenRows: RowGroup = {
  title: 'opaque tokens',
  rows: [
    {
      name: 'a valid token: 200 with the calling machine as subject',
      authorization: async (ctx) => `Bearer ${(await ctx.issue()).token}`,
      expect: { status: 200, check: expectCaller('sender') },
    },
    {
      name: 'a well-formed token the token service does not know: 401 invalid_token',
      authorization: () => `Bearer mt_${'9f8e7d6c5b4a3210'.repeat(2)}`,
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: 'a credential that is not an M2M token (an OAuth token): 401 invalid_token',
      authorization: () => 'Bearer oat_0123456789abcdef0123456789abcdef',
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: 'a revoked token: 401 invalid_token',
      authorization: async (ctx) => {
        const token = await ctx.issue()
        await ctx.revoke(token.id)
        return `Bearer ${token.token}`
      },
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: 'an expired token: 401 invalid_token',
      authorization: async (ctx) => {
        const token = await ctx.issue({ secondsUntilExpiration: 60 })
        ctx.advanceEmulatorClock(120_000)
        return `Bearer ${token.token}`
      },
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: 'a token not scoped to this machine (machineId): 401 invalid_token',
      verifier: (ctx) => ({ machineId: ctx.machines.stranger.id }),
      authorization: async (ctx) => `Bearer ${(await ctx.issue()).token}`,
      expect: { status: 401, error: 'invalid_token' },
    },
    {
      name: "verifying with the receiving machine's own key (ak_): 200",
      verifier: (ctx) => ({ secretKey: ctx.machines.receiver.secretKey, machineId: undefined }),
      authorization: async (ctx) => `Bearer ${(await ctx.issue()).token}`,
      expect: { status: 200, check: expectCaller('sender') },
    },
    {
      name: 'a token not scoped to the machine whose key (ak_) verifies it: 401 invalid_token',
      verifier: (ctx) => ({ secretKey: ctx.machines.stranger.secretKey, machineId: undefined }),
      authorization: async (ctx) => `Bearer ${(await ctx.issue()).token}`,
      expect: { status: 401, error: 'invalid_token' },
    },
  ],
}
