import type { RowContext, RowGroup } from './types.js'

async function validToken(ctx: RowContext): Promise<string> {
  return `Bearer ${(await ctx.issue()).token}`
}

/** The token service failing (design.md: 503 + Retry-After, no challenge; never a 401). */
export const outageRows: RowGroup = {
  title: 'token service failures',
  rows: [
    {
      name: 'the token service answers 500: 503 temporarily_unavailable',
      authorization: async (ctx) => {
        const header = await validToken(ctx)
        ctx.setFaults({ errorRate: 1, errorStatus: 500 })
        return header
      },
      expect: { status: 503, error: 'temporarily_unavailable' },
    },
    {
      name: 'the token service answers 503: 503 temporarily_unavailable',
      authorization: async (ctx) => {
        const header = await validToken(ctx)
        ctx.setFaults({ errorRate: 1, errorStatus: 503 })
        return header
      },
      expect: { status: 503, error: 'temporarily_unavailable' },
    },
    {
      name: "the token service rate limits (429): 503 passing on the service's Retry-After",
      authorization: async (ctx) => {
        const header = await validToken(ctx)
        ctx.setFaults({ rateLimitRate: 1, retryAfterSeconds: 7 })
        return header
      },
      expect: { status: 503, error: 'temporarily_unavailable', retryAfter: '7' },
    },
    {
      name: 'the token service resets the connection: 503 temporarily_unavailable',
      authorization: async (ctx) => {
        const header = await validToken(ctx)
        ctx.setFaults({ resetRate: 1 })
        return header
      },
      expect: { status: 503, error: 'temporarily_unavailable' },
    },
    {
      name: 'the token service does not answer in time: 503 temporarily_unavailable',
      verifier: () => ({ timeoutMs: 200, retry: false }),
      authorization: async (ctx) => {
        const header = await validToken(ctx)
        ctx.setFaults({ hangRate: 1 })
        return header
      },
      expect: { status: 503, error: 'temporarily_unavailable' },
    },
    {
      name: 'the token service is stopped: 503 temporarily_unavailable',
      verifier: (ctx) => ({ apiUrl: ctx.stoppedApiUrl }),
      authorization: validToken,
      expect: { status: 503, error: 'temporarily_unavailable' },
    },
    {
      name: 'an unknown token while the token service fails: 503, not 401',
      authorization: (ctx) => {
        ctx.setFaults({ errorRate: 1 })
        return `Bearer mt_${'fedcba9876543210'.repeat(2)}`
      },
      expect: { status: 503, error: 'temporarily_unavailable' },
    },
    {
      name: 'our own secret key is rejected by the token service: 500 server_error',
      verifier: () => ({ secretKey: 'sk_test_notakeyofthisinstance0000000000' }),
      authorization: validToken,
      expect: { status: 500, error: 'server_error' },
    },
  ],
}
